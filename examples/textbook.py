"""Textbook exercises: gradient, critical points, Jacobian and Laplacian smoothing.

Run with ``python examples/textbook.py [OUTDIR]``; the figures go to ``OUTDIR``
(a new temporary folder when omitted) and the numbers are printed.

1. The gradient of f = sin(x) cos(y) drawn as arrows over its contours. The
   contour lines come from matplotlib's contouring (contourpy), independently
   of fieldops; the mean |cos| of the angle between the gradient and the
   contour tangent measures how perpendicular they are (0 is exact).
2. Critical points classified from the Hessian (:func:`fieldops.critical_points`):
   the saddle of x**2 - y**2 at the origin, and the 2 maxima, 2 minima and
   4 saddles of sin(x) cos(y) on its periodic domain.
3. The Jacobian of a rotation by 35 degrees, on a non-uniform grid: the rotation
   matrix everywhere, determinant 1.
4. Laplacian smoothing (:func:`fieldops.diffuse`) of a noisy photograph:
   scikit-image's ``camera`` when scikit-image is installed
   (``pip install "fieldops-xr[examples]"``), otherwise a synthetic image of
   discs and stripes. Reports the noise variance before and after, and the mean.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr

import fieldops


def output_folder(outdir: str | Path | None, prefix: str) -> Path:
    """The folder for the figures: ``outdir``, created if needed, or a new temporary one.

    Parameters
    ----------
    outdir : str or Path, optional
        Folder to write into.
    prefix : str
        Prefix of the temporary folder's name.

    Returns
    -------
    pathlib.Path
        An existing folder.
    """
    if outdir is None:
        return Path(tempfile.mkdtemp(prefix=prefix))
    folder = Path(outdir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _axis(name: str, values: np.ndarray) -> xr.DataArray:
    """A 1-D coordinate DataArray along the dim ``name``."""
    return xr.DataArray(values, dims=name, coords={name: values})


def gradient_and_contours(n: int = 64) -> dict[str, object]:
    """Gradient of sin(x) cos(y) and how perpendicular it is to the contour lines.

    Parameters
    ----------
    n : int, default 64
        Points per period along x and y (periodic grid on [0, 2 pi)).

    Returns
    -------
    dict
        ``f`` and ``grad`` (DataArrays), ``lines`` (contour polylines per level),
        ``mean |cos|`` and ``max |cos|`` between gradient and contour tangent, and
        ``max gradient error`` against the exact gradient.
    """
    import contourpy
    from scipy.interpolate import RegularGridInterpolator

    x = _axis("x", np.arange(n) * 2 * np.pi / n)
    y = _axis("y", np.arange(n) * 2 * np.pi / n)
    f = (np.sin(x) * np.cos(y)).transpose("y", "x").rename("f")
    g = fieldops.grad(f, ["x", "y"], boundary="periodic", period=2 * np.pi, accuracy=4)
    exact_x = np.cos(x) * np.cos(y)
    exact_y = -np.sin(x) * np.sin(y)
    error = max(
        float(abs(g.sel(component="x") - exact_x).max()),
        float(abs(g.sel(component="y") - exact_y).max()),
    )

    # Contours from contourpy (what matplotlib draws), then the gradient interpolated
    # at the midpoint of every contour segment, compared with the segment's direction.
    generator = contourpy.contour_generator(x.values, y.values, f.values)
    interp = [
        RegularGridInterpolator((y.values, x.values), g.sel(component=c).values) for c in ("x", "y")
    ]
    levels = np.linspace(-0.8, 0.8, 9)
    lines = {}
    cosines = []
    for level in levels:
        lines[float(level)] = generator.lines(level)
        for line in lines[float(level)]:
            tangent = np.diff(line, axis=0)
            length = np.hypot(tangent[:, 0], tangent[:, 1])
            keep = length > 1e-12
            mid = 0.5 * (line[1:] + line[:-1])[keep]
            gx = interp[0](mid[:, ::-1])
            gy = interp[1](mid[:, ::-1])
            dot = gx * tangent[keep, 0] + gy * tangent[keep, 1]
            cosines.append(np.abs(dot) / (np.hypot(gx, gy) * length[keep]))
    cosines = np.concatenate(cosines)
    return {
        "f": f,
        "grad": g,
        "lines": lines,
        "mean |cos|": float(cosines.mean()),
        "max |cos|": float(cosines.max()),
        "segments": int(cosines.size),
        "max gradient error": error,
    }


def saddle_and_extrema(n: int = 41) -> dict[str, object]:
    """Critical points of x**2 - y**2 and of sin(x) cos(y), classified by the Hessian.

    Parameters
    ----------
    n : int, default 41
        Points along each axis of [-1, 1]^2 for the saddle (odd, so 0 is a grid point).

    Returns
    -------
    dict
        ``saddle codes`` (DataArray), ``saddle class`` (the flag meaning at the
        origin), ``saddle count`` (critical points found), ``hessian at origin``
        and, for sin(x) cos(y) on [0, 2 pi)^2, ``sin cos counts``
        (``{"minimum": ..., "maximum": ..., "saddle": ...}``) and ``sin cos codes``.
    """
    s = np.linspace(-1.0, 1.0, n)
    x, y = _axis("x", s), _axis("y", s)
    f = (x**2 - y**2).rename("f")
    codes = fieldops.critical_points(f, ["x", "y"])
    meanings = codes.attrs["flag_meanings"].split()
    hessian = fieldops.hessian(f, ["x", "y"]).sel(x=0.0, y=0.0)

    m = 64
    p = np.arange(m) * 2 * np.pi / m
    wave = (np.sin(_axis("x", p)) * np.cos(_axis("y", p))).rename("wave")
    wave_codes = fieldops.critical_points(wave, ["x", "y"], boundary="periodic", period=2 * np.pi)
    counts = {name: int((wave_codes == k).sum()) for k, name in enumerate(meanings) if k > 0}
    return {
        "saddle codes": codes,
        "saddle class": meanings[int(codes.sel(x=0.0, y=0.0))],
        "saddle count": int((codes > 0).sum()),
        "hessian at origin": hessian.values.tolist(),
        "sin cos codes": wave_codes,
        "sin cos counts": counts,
    }


def rotation_jacobian(angle_deg: float = 35.0, n: int = 25, seed: int = 1) -> dict[str, object]:
    """Jacobian and its determinant for the rotation F(x, y) = R (x, y).

    Parameters
    ----------
    angle_deg : float, default 35
        Rotation angle in degrees.
    n : int, default 25
        Points along each axis; the grid is non-uniform (sorted random points).
    seed : int, default 1
        Seed of the grid.

    Returns
    -------
    dict
        ``field`` (the vector field), ``determinant`` (DataArray),
        ``max |det - 1|`` and ``max |J - R|``.
    """
    rng = np.random.default_rng(seed)
    x = _axis("x", np.sort(rng.uniform(-2.0, 2.0, n)))
    y = _axis("y", np.sort(rng.uniform(-1.0, 1.0, n)))
    c, s = np.cos(np.deg2rad(angle_deg)), np.sin(np.deg2rad(angle_deg))
    field = xr.concat([c * x - s * y, s * x + c * y], dim="component")
    field = field.assign_coords(component=["x", "y"]).rename("rotation")
    jac = fieldops.jacobian(field)
    rotation = np.array([[c, -s], [s, c]])
    jac_error = float(np.abs(jac.transpose("x", "y", "component", "wrt").values - rotation).max())
    det = fieldops.jacobian_determinant(field)
    return {
        "field": field,
        "determinant": det,
        "max |det - 1|": float(abs(det - 1).max()),
        "max |J - R|": jac_error,
    }


def sample_image() -> tuple[np.ndarray, str]:
    """A grey image in [0, 1]: scikit-image's ``camera`` if available, else synthetic.

    Returns
    -------
    image : numpy.ndarray
        2-D float64 array.
    source : str
        Where it comes from.
    """
    try:
        from skimage import data
    except ImportError:
        n = 256
        yy, xx = np.mgrid[0:n, 0:n] / n
        image = 0.2 + 0.3 * (np.sin(12 * np.pi * xx) > 0) * (yy < 0.4)
        image = image + 0.5 * ((xx - 0.6) ** 2 + (yy - 0.7) ** 2 < 0.05)
        image = image + 0.3 * ((xx - 0.25) ** 2 + (yy - 0.75) ** 2 < 0.02)
        return np.clip(image, 0.0, 1.0), "synthetic discs and stripes, 256 x 256"
    return data.camera().astype(np.float64) / 255.0, "scikit-image camera, 512 x 512"


def smooth_image(
    noise: float = 0.1, alpha: float = 0.2, steps: int = 10, seed: int = 0
) -> dict[str, object]:
    """Laplacian smoothing of a noisy image with zero-flux (mirror) edges.

    Diffusion is linear, so the noise left after smoothing is
    ``diffuse(noisy) - diffuse(clean)``; its variance is compared with the added
    noise's. With ``mirror`` edges the trapezoidal mean is kept to roundoff.

    Parameters
    ----------
    noise : float, default 0.1
        Standard deviation of the added Gaussian noise.
    alpha : float, default 0.2
        Diffusion number per step in pixel**2 (at most 0.25 on a 2-D grid).
    steps : int, default 10
        Number of steps.
    seed : int, default 0
        Seed of the noise.

    Returns
    -------
    dict
        The images (``clean``, ``noisy``, ``smoothed``) and the numbers: noise
        variance before/after, mean squared error to the clean image before/after,
        mean and trapezoidal mean before/after, ``source``.
    """
    image, source = sample_image()
    ny, nx = image.shape
    coords = {"y": np.arange(ny, dtype=float), "x": np.arange(nx, dtype=float)}
    clean = xr.DataArray(image, dims=("y", "x"), coords=coords, name="image")
    noisy = clean + np.random.default_rng(seed).normal(0.0, noise, image.shape)
    kwargs = dict(steps=steps, boundary="mirror")
    smoothed = fieldops.diffuse(noisy, alpha, **kwargs)
    smoothed_clean = fieldops.diffuse(clean, alpha, **kwargs)

    def trapezoid_mean(a: xr.DataArray) -> float:
        return float(a.integrate(["x", "y"])) / ((nx - 1) * (ny - 1))

    return {
        "clean": clean,
        "noisy": noisy,
        "smoothed": smoothed,
        "source": source,
        "noise variance before": float((noisy - clean).var()),
        "noise variance after": float((smoothed - smoothed_clean).var()),
        "mean squared error before": float(((noisy - clean) ** 2).mean()),
        "mean squared error after": float(((smoothed - clean) ** 2).mean()),
        "mean before": float(noisy.mean()),
        "mean after": float(smoothed.mean()),
        "trapezoidal mean before": trapezoid_mean(noisy),
        "trapezoidal mean after": trapezoid_mean(smoothed),
    }


def plot(results: dict[str, dict], folder: Path) -> list[Path]:
    """One PNG per exercise in ``folder``.

    Parameters
    ----------
    results : dict
        The outputs of the four exercise functions, keyed ``gradient``,
        ``critical``, ``rotation`` and ``smoothing``.
    folder : Path
        Existing folder.

    Returns
    -------
    list of pathlib.Path
        The PNG files written.
    """
    from matplotlib.figure import Figure

    paths = []

    grad = results["gradient"]
    f, g = grad["f"], grad["grad"]
    fig = Figure(figsize=(6, 5.5))
    ax = fig.add_subplot()
    for level, lines in grad["lines"].items():
        colour = "tab:red" if level > 0 else "tab:blue" if level < 0 else "grey"
        for line in lines:
            ax.plot(line[:, 0], line[:, 1], color=colour, lw=1)
    step = 4
    ax.quiver(
        f.x[::step],
        f.y[::step],
        g.sel(component="x")[::step, ::step],
        g.sel(component="y")[::step, ::step],
        angles="xy",
        pivot="mid",
    )
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    mean_cos = grad["mean |cos|"]
    ax.set_title(f"grad sin(x) cos(y) over its contours\nmean |cos angle| = {mean_cos:.1e}")
    paths.append(folder / "textbook_gradient.png")
    fig.savefig(paths[-1], dpi=80)

    crit = results["critical"]
    fig = Figure(figsize=(10, 4.5))
    for ax, key, field in zip(
        fig.subplots(1, 2), ("saddle codes", "sin cos codes"), ("x**2 - y**2", "sin(x) cos(y)")
    ):
        codes = crit[key]
        x, y = codes.x.values, codes.y.values
        if key == "saddle codes":
            values = x[:, None] ** 2 - y[None, :] ** 2
        else:
            values = np.sin(x)[:, None] * np.cos(y)[None, :]
        ax.contour(x, y, values.T, levels=15, cmap="RdBu_r")
        for k, (marker, colour) in enumerate(
            [("v", "tab:blue"), ("^", "tab:red"), ("x", "black")], start=1
        ):
            iy, ix = np.nonzero(codes.transpose("y", "x").values == k)
            name = codes.attrs["flag_meanings"].split()[k]
            ax.scatter(x[ix], y[iy], marker=marker, color=colour, s=60, label=name)
        ax.set_title(f"critical points of {field}")
        ax.set_aspect("equal")
        ax.legend(loc="upper right", fontsize=8)
    paths.append(folder / "textbook_critical_points.png")
    fig.savefig(paths[-1], dpi=80)

    rot = results["rotation"]
    field = rot["field"]
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    X = field.sel(component="x").transpose("y", "x")
    Y = field.sel(component="y").transpose("y", "x")
    ax.plot(X.values, Y.values, color="tab:blue", lw=0.6)
    ax.plot(X.values.T, Y.values.T, color="tab:blue", lw=0.6)
    ax.set_aspect("equal")
    ax.set_title(f"rotated non-uniform grid: max |det J - 1| = {rot['max |det - 1|']:.1e}")
    paths.append(folder / "textbook_rotation.png")
    fig.savefig(paths[-1], dpi=80)

    sm = results["smoothing"]
    fig = Figure(figsize=(12, 4.5))
    axes = fig.subplots(1, 3)
    for ax, key in zip(axes, ("clean", "noisy", "smoothed")):
        ax.imshow(sm[key].values, cmap="gray", vmin=0, vmax=1)
        ax.set_title(key)
        ax.set_axis_off()
    fig.suptitle(
        f"{sm['source']}: noise variance {sm['noise variance before']:.2e} -> "
        f"{sm['noise variance after']:.2e}"
    )
    paths.append(folder / "textbook_smoothing.png")
    fig.savefig(paths[-1], dpi=80)
    return paths


def main(outdir: str | Path | None = None) -> dict[str, object]:
    """Run the four exercises, save their figures and return the numbers.

    Parameters
    ----------
    outdir : str or Path, optional
        Folder for the PNG figures; a new temporary folder by default.

    Returns
    -------
    dict
        Scalar results of each exercise (no arrays) and ``figures`` (paths).
    """
    results = {
        "gradient": gradient_and_contours(),
        "critical": saddle_and_extrema(),
        "rotation": rotation_jacobian(),
        "smoothing": smooth_image(),
    }
    figures = plot(results, output_folder(outdir, "fieldops-textbook-"))
    summary = {
        name: {k: v for k, v in part.items() if not isinstance(v, xr.DataArray | dict)}
        for name, part in results.items()
    }
    summary["critical"]["sin cos counts"] = results["critical"]["sin cos counts"]
    summary["figures"] = figures
    for name, part in summary.items():
        print(name)
        if isinstance(part, dict):
            for key, value in part.items():
                print(f"  {key:>28}: {value}")
        else:
            for path in part:
                print(f"  {path}")
    return summary


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
