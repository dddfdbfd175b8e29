"""The one table of cases that drives the runs (numbagg-style).

A :class:`Case` names its data, the fieldops call, the peers on the same data,
the bytes it moves (for the fraction of copy bandwidth) and the targets of
issue 7 it is judged by. Every operator is one entry: rows for operators that
are not in fieldops yet (``requires``) are skipped with a note until they are.
Each ``fieldops``/peer entry is a binder ``data -> thunk``: set-up runs outside
the clock, the thunk inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks import peers

Binder = Callable[[Callable[[str], dict]], Callable[[], object]]


@dataclass(frozen=True)
class Target:
    """A goal of issue 7 for one row.

    ``kind``: ``"bw"`` (fraction of the threaded copy's bandwidth >= value),
    ``"faster"`` (``ref``'s time / fieldops's >= value), ``"within"``
    (fieldops's time / ``ref``'s <= value), ``"above"`` (fieldops's time minus
    ``ref``'s <= value seconds), ``"max"`` (fieldops's time <= value seconds).
    """

    kind: str
    value: float
    ref: str | None = None

    def label(self) -> str:
        return {
            "bw": f">= {self.value:.0%} of copy bw",
            "faster": f">= {self.value:g}x {self.ref}",
            "within": f"within {self.value:g}x of {self.ref}",
            "above": f"<= {self.value * 1e6:.0f} us above {self.ref}",
            "max": f"<= {self.value:g} s",
        }[self.kind]


@dataclass(frozen=True)
class Case:
    """One row of the table."""

    name: str
    group: str
    data: str
    fieldops: Binder
    peers: dict[str, Binder] = field(default_factory=dict)
    extra_data: tuple[str, ...] = ()  # other data keys the binders read
    traffic: float = 2.0  # arrays read + written, in units of the input; a copy moves 2
    requires: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()
    kind: str = "timed"  # "timed" or "coldstart"
    unit: str = "ms"


# --- fieldops binders --------------------------------------------------------------------


def _fo():
    import fieldops

    return fieldops


def _computed(obj):
    return obj.compute() if getattr(obj, "chunks", None) else obj


def fo_diff(key: str, dim: str, order: int = 1, acc: int = 2, *, da: str = "da") -> Binder:
    def bind(get):
        arr, fo = get(key)[da], _fo()
        if arr.chunks:
            return lambda: fo.diff(arr, dim, order, accuracy=acc).compute()
        return lambda: fo.diff(arr, dim, order, accuracy=acc)

    return bind


def fo_diff_threads(key: str, dim: str, threads: int) -> Binder:
    def bind(get):
        arr, fo = get(key)["da"], _fo()

        def run():
            before = fo.get_num_threads()
            fo.set_num_threads(threads)
            try:
                return fo.diff(arr, dim)
            finally:
                fo.set_num_threads(before)

        return run

    return bind


def fo_in_memory(key: str, dim: str) -> Binder:
    def bind(get):
        arr, fo = get(key)["da"].compute(), _fo()
        return lambda: fo.diff(arr, dim)

    return bind


def fo_mixed(key: str, dims: tuple[str, str], acc: int) -> Binder:
    def bind(get):
        arr, fo = get(key)["da"], _fo()
        return lambda: fo.diff(fo.diff(arr, dims[0], accuracy=acc), dims[1], accuracy=acc)

    return bind


def fo_accessor(key: str, dim: str) -> Binder:
    def bind(get):
        arr = get(key)["da"]
        _fo()
        return lambda: arr.fieldops.diff(dim)

    return bind


def fo_array_core(key: str, dim: str) -> Binder:
    """The numpy core alone: the cached stencil applied to the bare array."""

    def bind(get):
        from fieldops.stencils.dispatch import apply_along, stencil_for

        d = get(key)
        arr, axis = d["np"], d["dims"].index(dim)
        st = stencil_for(d["da"][dim].values, 1, 2, "one_sided")
        return lambda: apply_along(arr, axis, st)

    return bind


def fo_call(name: str, key: str, *args, obj: str = "da", **kwargs) -> Binder:
    """``fieldops.<name>(data, *args, **kwargs)``: operators other branches add."""

    def bind(get):
        arr, fo = get(key)[obj], _fo()
        func = getattr(fo, name)
        return lambda: _computed(func(arr, *args, **kwargs))

    return bind


def fo_winds(name: str, key: str, **kwargs) -> Binder:
    """``fieldops.<name>(u, v)`` (vorticity, divergence) of the case's winds."""

    def bind(get):
        d, fo = get(key), _fo()
        func = getattr(fo, name)
        if "ds" in d:
            u, v = d["ds"].u, d["ds"].v
        else:  # the plane: (u, v) = (f, f) with wind units
            u = v = d["da"].assign_attrs(units="m s-1")
        return lambda: _computed(func(u, v, **kwargs))

    return bind


def fo_cartesian(key: str, name: str) -> Binder:
    """Vorticity or divergence of (u, v) = (f, f) from two diff calls (the core today)."""

    def bind(get):
        arr, fo = get(key)["da"], _fo()
        if name == "vorticity":
            return lambda: fo.diff(arr, "x") - fo.diff(arr, "y")
        return lambda: fo.diff(arr, "x") + fo.diff(arr, "y")

    return bind


def peer(func, *args, **kwargs) -> Binder:
    """A peer from :mod:`benchmarks.peers` bound to the case's data key (first arg)."""
    key, rest = args[0], args[1:]
    return lambda get: func(get(key), *rest, **kwargs)


# --- the table -----------------------------------------------------------------------------

BW = Target("bw", 0.70)
NP5 = Target("faster", 5.0, "numpy.gradient")


def _first_derivative_cases() -> list[Case]:
    rows = []
    for key, label, dims in (
        ("2d-f64", "2-D f64", ("y", "x")),
        ("2d-f32", "2-D f32", ("y", "x")),
        ("3d-f64", "3-D f64", ("z", "y", "x")),
        ("3d-f32", "3-D f32", ("z", "y", "x")),
    ):
        two_d = key.startswith("2d")
        f64_key = key.replace("f32", "f64")
        for dim in dims:
            for acc in (2, 6):
                others = {"numpy.gradient": peer(peers.numpy_gradient, key, dim)}
                targets = [BW, NP5]
                if acc == 2:
                    others["xarray.differentiate"] = peer(peers.xarray_differentiate, key, dim)
                if two_d:
                    others[f"findiff acc {acc}"] = peer(peers.findiff_op, key, {dim: 1}, acc)
                if key == "2d-f64" and acc == 2:
                    others["xgcm.derivative"] = peer(peers.xgcm_derivative, key, dim)
                    others["fieldops 1 thread"] = fo_diff_threads(key, dim, 1)
                if acc == 6:
                    others["fieldops acc 2"] = fo_diff(key, dim, 1, 2)
                    targets.append(Target("within", 1.5, "fieldops acc 2"))
                    if two_d:
                        targets.append(Target("faster", 15.0, "findiff acc 6"))
                if key != f64_key:
                    others["fieldops float64"] = fo_diff(f64_key, dim, 1, acc)
                    targets.append(Target("faster", 1.7, "fieldops float64"))
                rows.append(
                    Case(
                        f"d/d{dim} acc {acc} {label}",
                        "first derivative",
                        key,
                        fo_diff(key, dim, 1, acc),
                        others,
                        extra_data=(f64_key,) if key != f64_key else (),
                        targets=tuple(targets),
                    )
                )
    return rows


def _second_derivative_cases() -> list[Case]:
    rows = []
    key = "2d-f64"
    for dim in ("y", "x"):
        for acc in (2, 6):
            rows.append(
                Case(
                    f"d2/d{dim}2 acc {acc} 2-D f64",
                    "second derivative",
                    key,
                    fo_diff(key, dim, 2, acc),
                    {
                        f"findiff acc {acc}": peer(peers.findiff_op, key, {dim: 2}, acc),
                        "numpy.gradient twice": peer(peers.numpy_gradient_twice, key, dim, dim),
                    },
                    targets=(BW,),
                )
            )
    for acc in (2, 6):
        rows.append(
            Case(
                f"d2/dydx acc {acc} 2-D f64 (two diff calls)",
                "second derivative",
                key,
                fo_mixed(key, ("y", "x"), acc),
                {
                    f"findiff acc {acc}": peer(peers.findiff_op, key, {"y": 1, "x": 1}, acc),
                    "numpy.gradient twice": peer(peers.numpy_gradient_twice, key, "y", "x"),
                },
                traffic=4.0,
            )
        )
    return rows


def _nonuniform_cases() -> list[Case]:
    key = "2d-f64-nonuniform"
    rows = []
    for acc in (2, 6):
        others = {
            f"fieldops uniform acc {acc}": fo_diff(key, "x", 1, acc, da="uniform_da"),
            "numpy.gradient": lambda get: peers.numpy_gradient(get(key), "x", get(key)["x"]),
            f"findiff acc {acc}": lambda get, acc=acc: peers.findiff_op(
                get(key), {"x": 1}, acc, coords={"x": get(key)["x"]}
            ),
        }
        if acc == 2:
            others["xarray.differentiate"] = peer(peers.xarray_differentiate, key, "x")
        rows.append(
            Case(
                f"d/dx acc {acc} non-uniform x 2-D f64",
                "non-uniform",
                key,
                fo_diff(key, "x", 1, acc),
                others,
                targets=(Target("within", 1.5, f"fieldops uniform acc {acc}"), BW),
            )
        )
    return rows


def _dask_cases() -> list[Case]:
    key = "3d-f64-dask"
    rows = []
    for dim, what in (("z", "4 chunks"), ("y", "2 chunks"), ("x", "1 chunk")):
        rows.append(
            Case(
                f"d/d{dim} acc 2 3-D f64 Dask, {what} along {dim}",
                "dask",
                key,
                fo_diff(key, dim),
                {
                    "fieldops in memory": fo_in_memory(key, dim),
                    "dask.array.gradient": peer(peers.dask_gradient, key, dim),
                    "xarray.differentiate": peer(peers.xarray_differentiate, key, dim),
                    "xgcm.derivative": peer(peers.xgcm_derivative, key, dim),
                },
            )
        )
    return rows


def _operator_cases() -> list[Case]:
    key = "2d-f64"
    dims = ("y", "x")
    return [
        Case(
            "gradient 2-D f64 (fused)",
            "operators",
            key,
            fo_call("grad", key, dims=list(dims)),
            {
                "numpy.gradient": peer(peers.numpy_gradient_all, key, dims),
                "findiff acc 2": peer(peers.findiff_each, key, dims, 2),
            },
            traffic=3.0,
            requires=("grad",),
            targets=(Target("faster", 5.0, "numpy.gradient"),),
        ),
        Case(
            "laplacian 2-D f64",
            "operators",
            key,
            fo_call("laplacian", key, dims=list(dims)),
            {
                "scipy.ndimage.laplace": peer(peers.scipy_laplace, key),
                "metpy.laplacian": peer(peers.metpy_laplacian, key),
                "findiff acc 2": peer(peers.findiff_sum, key, dims, 2),
            },
            requires=("laplacian",),
            targets=(Target("bw", 0.60), Target("faster", 5.0, "scipy.ndimage.laplace")),
        ),
        Case(
            "hessian 2-D f64",
            "operators",
            key,
            fo_call("hessian", key, dims=list(dims)),
            {"findiff acc 2": peer(peers.findiff_hessian, key, dims, 2)},
            traffic=5.0,  # one read; a (component, wrt) 2x2 DataArray holds d2/dydx twice
            requires=("hessian",),
            targets=(Target("bw", 0.50),),
        ),
        Case(
            "vorticity 2-D f64 cartesian (two diff calls)",
            "operators",
            key,
            fo_cartesian(key, "vorticity"),
            {"metpy.vorticity": peer(peers.metpy_cartesian, key, "vorticity")},
            traffic=3.0,
        ),
        Case(
            "vorticity 2-D f64 cartesian",
            "operators",
            key,
            fo_winds("vorticity", key),
            {
                "metpy.vorticity": peer(peers.metpy_cartesian, key, "vorticity"),
                "fieldops two diff calls": fo_cartesian(key, "vorticity"),
            },
            traffic=3.0,
            requires=("vorticity",),
        ),
        Case(
            "divergence 2-D f64 cartesian (two diff calls)",
            "operators",
            key,
            fo_cartesian(key, "divergence"),
            {"metpy.divergence": peer(peers.metpy_cartesian, key, "divergence")},
            traffic=3.0,
        ),
    ]


def _sphere_cases() -> list[Case]:
    key = "sphere-f64"
    rows = []
    for name in ("vorticity", "divergence"):
        others = {f"metpy.{name}": peer(peers.metpy_sphere, key, name)}
        if name == "vorticity":
            others["numpy flux form"] = peer(peers.numpy_flux_vorticity, key)
        rows.append(
            Case(
                f"{name} 721x1440 lat/lon f64",
                "sphere",
                key,
                fo_winds(name, key),
                others,
                traffic=3.0,
                requires=(name,),
                targets=(Target("faster", 20.0, f"metpy.{name}"),),
            )
        )
    return rows


def _overhead_cases() -> list[Case]:
    key = "small-f64"
    return [
        Case(
            "d/dx 100x100 through the accessor",
            "overhead",
            key,
            fo_accessor(key, "x"),
            {
                "fieldops array core": fo_array_core(key, "x"),
                "numpy.gradient": peer(peers.numpy_gradient, key, "x"),
                "xarray.differentiate": peer(peers.xarray_differentiate, key, "x"),
            },
            targets=(Target("above", 100e-6, "fieldops array core"),),
            unit="us",
        )
    ]


def _coldstart_cases() -> list[Case]:
    return [
        Case(
            "cold start: import + first diff, Numba cache on disk",
            "cold start",
            "cached",
            None,
            {"xarray.differentiate": None},
            kind="coldstart",
            targets=(Target("max", 1.0),),
            unit="s",
        ),
        Case(
            "cold start: import + first diff, no Numba cache",
            "cold start",
            "uncached",
            None,
            {"xarray.differentiate": None},
            kind="coldstart",
            unit="s",
        ),
    ]


CASES: list[Case] = [
    *_overhead_cases(),
    *_first_derivative_cases(),
    *_second_derivative_cases(),
    *_nonuniform_cases(),
    *_operator_cases(),
    *_sphere_cases(),
    *_dask_cases(),
    *_coldstart_cases(),
]
