"""fieldops.vertical_coordinate against the formulas of CF appendix D, written out here."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops

rng = np.random.default_rng(16)
NT, NK, NY, NX = 2, 5, 3, 4


def _level(name: str, terms: str, values=None) -> xr.DataArray:
    values = np.linspace(-0.9, -0.1, NK) if values is None else values
    return xr.DataArray(values, dims="lev", attrs={"standard_name": name, "formula_terms": terms})


def _surface(scale: float, offset: float, units: str, time: bool = True) -> xr.DataArray:
    dims = ("time", "y", "x") if time else ("y", "x")
    shape = (NT, NY, NX) if time else (NY, NX)
    return xr.DataArray(offset + scale * rng.random(shape), dims=dims, attrs={"units": units})


def _field(coords: dict) -> xr.Dataset:
    t = xr.DataArray(np.zeros((NT, NK, NY, NX)), dims=("time", "lev", "y", "x"))
    return xr.Dataset({"t": t}, coords=coords)


def _k(values) -> np.ndarray:  # a level profile broadcast as (1, k, 1, 1)
    return np.asarray(values)[None, :, None, None]


def _s(da: xr.DataArray) -> np.ndarray:  # a surface field broadcast as (n, 1, j, i)
    v = da.values
    return v[:, None] if v.ndim == 3 else v[None, None]


def test_hybrid_sigma_pressure_a_p0_form():
    a, b = np.linspace(0.1, 0.0, NK), np.linspace(0.0, 0.9, NK)
    ps = _surface(1e4, 9e4, "Pa")
    ds = _field(
        {
            "lev": _level(
                "atmosphere_hybrid_sigma_pressure_coordinate", "a: hyam b: hybm p0: P0 ps: PS"
            ),
            "hyam": ("lev", a),
            "hybm": ("lev", b),
            "P0": ((), 1000.0, {"units": "hPa"}),  # converted to the units of ps
            "PS": ps,
        }
    )
    p = fieldops.vertical_coordinate(ds, "t")
    # CF: p(n,k,j,i) = a(k)*p0 + b(k)*ps(n,j,i)
    want = _k(a) * 1e5 + _k(b) * _s(ps)
    np.testing.assert_allclose(p.values, want, rtol=1e-14)
    assert p.dims == ("time", "lev", "y", "x")
    assert p.attrs["units"] == "Pa" and p.attrs["standard_name"] == "air_pressure"
    assert p.attrs["positive"] == "down"


def test_hybrid_sigma_pressure_ap_form():
    ap, b = np.linspace(1e4, 0.0, NK), np.linspace(0.0, 0.9, NK)
    ps = _surface(1e4, 9e4, "Pa")
    ds = _field(
        {
            "lev": _level("atmosphere_hybrid_sigma_pressure_coordinate", "ap: ap b: b ps: ps"),
            "ap": ("lev", ap, {"units": "Pa"}),
            "b": ("lev", b),
            "ps": ps,
        }
    )
    # CF: p(n,k,j,i) = ap(k) + b(k)*ps(n,j,i)
    want = _k(ap) + _k(b) * _s(ps)
    np.testing.assert_allclose(fieldops.vertical_coordinate(ds, "t").values, want, rtol=1e-14)


def test_hybrid_height():
    a, b = np.linspace(20.0, 8000.0, NK), np.linspace(1.0, 0.0, NK)
    orog = _surface(2.0, 0.0, "km", time=False)
    ds = _field(
        {
            "lev": _level("atmosphere_hybrid_height_coordinate", "a: lev b: b orog: orog", a),
            "b": ("lev", b),
            "orog": orog,
        }
    )
    ds.lev.attrs["units"] = "m"
    z = fieldops.vertical_coordinate(ds, "t")
    # CF: z(n,k,j,i) = a(k) + b(k)*orog(n,j,i)  (orog in km, converted to a's metres)
    want = _k(a)[0] + _k(b)[0] * orog.values[None] * 1000.0
    np.testing.assert_allclose(z.values, want, rtol=1e-14)
    assert z.attrs["units"] == "m" and z.attrs["standard_name"] == "altitude"


def test_atmosphere_sigma():
    sigma = np.linspace(0.1, 1.0, NK)
    ps = _surface(1e4, 9e4, "Pa")
    ds = _field(
        {
            "lev": _level("atmosphere_sigma_coordinate", "sigma: lev ps: PS ptop: PTOP", sigma),
            "PS": ps,
            "PTOP": ((), 1000.0, {"units": "Pa"}),
        }
    )
    # CF: p(n,k,j,i) = ptop + sigma(k)*(ps(n,j,i) - ptop)
    want = 1000.0 + _k(sigma) * (_s(ps) - 1000.0)
    np.testing.assert_allclose(fieldops.vertical_coordinate(ds, "t").values, want, rtol=1e-14)


def test_ln_pressure():
    lev = np.linspace(0.0, 3.0, NK)
    ds = _field(
        {
            "lev": _level("atmosphere_ln_pressure_coordinate", "p0: p0 lev: lev", lev),
            "p0": ((), 1013.25, {"units": "hPa"}),
        }
    )
    p = fieldops.vertical_coordinate(ds, "t")
    # CF: p(k) = p0 * exp(-lev(k))
    np.testing.assert_allclose(p.values, 1013.25 * np.exp(-lev), rtol=1e-14)
    assert p.attrs["units"] == "hPa" and p.dims == ("lev",)


def _ocean(name: str, terms: str, extra: dict) -> tuple[xr.Dataset, xr.DataArray, xr.DataArray]:
    eta = _surface(0.5, -0.25, "m")
    depth = _surface(500.0, 50.0, "m", time=False)
    ds = _field({"lev": _level(name, terms), "eta": eta, "depth": depth, **extra})
    return ds, eta, depth


def test_ocean_sigma():
    ds, eta, depth = _ocean("ocean_sigma_coordinate", "sigma: lev eta: eta depth: depth", {})
    sigma = ds.lev.values
    # CF: z(n,k,j,i) = eta(n,j,i) + sigma(k)*(depth(j,i)+eta(n,j,i))
    want = _s(eta) + _k(sigma) * (_s(depth) + _s(eta))
    z = fieldops.vertical_coordinate(ds, "t")
    np.testing.assert_allclose(z.values, want, rtol=1e-13)
    assert z.attrs["positive"] == "up" and z.attrs["units"] == "m"


def test_ocean_s():
    terms = "s: lev eta: eta depth: depth a: a b: b depth_c: depth_c"
    extra = {"a": ((), 5.0), "b": ((), 0.4), "depth_c": ((), 20.0, {"units": "m"})}
    ds, eta, depth = _ocean("ocean_s_coordinate", terms, extra)
    s, a, b, dc = _k(ds.lev.values), 5.0, 0.4, 20.0
    # CF: z = eta*(1+s) + depth_c*s + (depth-depth_c)*C(k)
    # C(k) = (1-b)*sinh(a*s(k))/sinh(a) + b*[tanh(a*(s(k)+0.5))/(2*tanh(0.5*a)) - 0.5]
    c = (1 - b) * np.sinh(a * s) / np.sinh(a) + b * (
        np.tanh(a * (s + 0.5)) / (2 * np.tanh(0.5 * a)) - 0.5
    )
    want = _s(eta) * (1 + s) + dc * s + (_s(depth) - dc) * c
    np.testing.assert_allclose(fieldops.vertical_coordinate(ds, "t").values, want, rtol=1e-13)


@pytest.mark.parametrize("generation", [1, 2])
def test_ocean_s_g1_g2(generation):
    name = "ocean_s_coordinate_g1" if generation == 1 else "ocean_s_coordinate_g2"
    cs = np.linspace(-0.95, -0.05, NK) ** 3
    terms = "s: lev C: Cs_r eta: zeta depth: h depth_c: hc"
    eta = _surface(0.5, -0.25, "m")
    depth = _surface(500.0, 50.0, "m", time=False)
    ds = _field(
        {
            "lev": _level(name, terms),
            "Cs_r": ("lev", cs),
            "zeta": eta,
            "h": depth,
            "hc": ((), 20.0, {"units": "m"}),
        }
    )
    s, c, dc, e, d = _k(ds.lev.values), _k(cs), 20.0, _s(eta), _s(depth)
    if generation == 1:
        # CF: z = S + eta*(1 + S/depth), S = depth_c*s + (depth - depth_c)*C
        big_s = dc * s + (d - dc) * c
        want = big_s + e * (1 + big_s / d)
    else:
        # CF: z = eta + (eta + depth)*S, S = (depth_c*s + depth*C)/(depth_c + depth)
        big_s = (dc * s + d * c) / (dc + d)
        want = e + (e + d) * big_s
    np.testing.assert_allclose(fieldops.vertical_coordinate(ds, "t").values, want, rtol=1e-13)


def test_ocean_sigma_z():
    nsigma = 3
    sigma = np.array([-0.1, -0.5, -0.9, np.nan, np.nan])
    zlev = np.array([np.nan, np.nan, np.nan, -600.0, -900.0])
    terms = "sigma: lev eta: eta depth: depth depth_c: depth_c nsigma: nsigma zlev: zlev"
    extra = {
        "depth_c": ((), 200.0, {"units": "m"}),
        "nsigma": ((), nsigma),
        "zlev": ("lev", zlev, {"units": "m"}),
    }
    ds, eta, depth = _ocean("ocean_sigma_z_coordinate", terms, extra)
    ds = ds.assign_coords(lev=ds.lev.copy(data=sigma))
    # CF: for k <= nsigma (counted from 1):
    #   z = eta(n,j,i) + sigma(k)*(min(depth_c, depth(j,i)) + eta(n,j,i)); else z = zlev(k)
    e, d = _s(eta), _s(depth)
    want = np.empty((NT, NK, NY, NX))
    for k in range(NK):
        if k < nsigma:
            want[:, k] = (e + sigma[k] * (np.minimum(200.0, d) + e))[:, 0]
        else:
            want[:, k] = zlev[k]
    np.testing.assert_allclose(fieldops.vertical_coordinate(ds, "t").values, want, rtol=1e-13)


def test_lazy_on_dask_terms():
    ps = _surface(1e4, 9e4, "Pa")
    ps = ps.copy(data=dsa.from_array(ps.values, chunks=(1, 2, 2)))
    ds = _field(
        {
            "lev": _level(
                "atmosphere_sigma_coordinate",
                "sigma: lev ps: ps ptop: ptop",
                np.linspace(0.1, 1, NK),
            ),
            "ps": ps,
            "ptop": ((), 0.0, {"units": "Pa"}),
        }
    )
    p = fieldops.vertical_coordinate(ds, "t")
    assert isinstance(p.data, dsa.Array)
    np.testing.assert_allclose(p.values, _k(ds.lev.values) * _s(ps.compute()))


def test_missing_variables_are_named():
    ds = _field(
        {
            "lev": _level(
                "atmosphere_hybrid_sigma_pressure_coordinate", "a: hyam b: hybm p0: P0 ps: PS"
            )
        }
    )
    with pytest.raises(ValueError, match=r"a: 'hyam'.*b: 'hybm'.*p0: 'P0'.*ps: 'PS'"):
        fieldops.vertical_coordinate(ds, "t")


def test_units_that_cannot_be_converted():
    ds = _field(
        {
            "lev": _level("atmosphere_sigma_coordinate", "sigma: lev ps: ps ptop: ptop"),
            "ps": _surface(1e4, 9e4, "Pa"),
            "ptop": ((), 10.0, {"units": "K"}),
        }
    )
    with pytest.raises(ValueError, match=r"cannot be converted.*ps in 'Pa'.*ptop in 'K'"):
        fieldops.vertical_coordinate(ds, "t")


def test_no_parametric_coordinate():
    with pytest.raises(ValueError, match="no parametric vertical coordinate"):
        fieldops.vertical_coordinate(_field({"lev": ("lev", np.arange(NK))}), "t")


def test_missing_term_in_formula_terms():
    ds = _field(
        {"lev": _level("ocean_sigma_coordinate", "sigma: lev eta: eta"), "eta": _surface(1, 0, "m")}
    )
    with pytest.raises(ValueError, match=r"lacks the term\(s\) \['depth'\]"):
        fieldops.vertical_coordinate(ds, "t")
