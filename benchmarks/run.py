"""Run the benchmark table: ``python -m benchmarks.run`` from the repository root.

Prints one row per case (fieldops's time, the fraction of the copy bandwidth
measured in the same run, and each peer's time with fieldops's speed-up over
it), then the targets of issue 7 met and missed, and writes everything to
``benchmarks/results/latest.json``.

    python -m benchmarks.run                  # the full table (~10 min on 2 cores)
    python -m benchmarks.run -k "d/dx"        # cases whose name or group matches
    python -m benchmarks.run --quick          # small sizes, 3 repeats: a smoke run
    python -m benchmarks.run --markdown       # the table as Markdown, for the README
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import sys
from pathlib import Path

import numpy as np

from benchmarks import coldstart, data, timing
from benchmarks.cases import CASES, Case, Target

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
SCALE = {"ms": 1e3, "us": 1e6, "s": 1.0}


def machine() -> dict:
    """Where the numbers were taken."""
    import numba
    import xarray

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "xarray": xarray.__version__,
    }
    for name in ("dask", "scipy", "xgcm", "findiff", "metpy"):
        try:
            versions[name] = __import__(name).__version__
        except Exception:  # a missing peer is reported, not fatal
            versions[name] = None
    import subprocess

    import fieldops

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(fieldops.__file__).parent,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "fieldops": f"{fieldops.__version__} {commit} ({Path(fieldops.__file__).parent})",
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "fieldops_threads": fieldops.get_num_threads(),
        "versions": versions,
        "loadavg_start": os.getloadavg(),
    }


class DataCache:
    """Builds data on first use and frees what no remaining case needs."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.store: dict[str, dict] = {}

    def get(self, key: str) -> dict:
        if key not in self.store:
            self.store[key] = data.FACTORIES[key](self.scale)
        return self.store[key]

    def keep_only(self, keys: set[str]) -> None:
        for key in list(self.store):
            if key not in keys:
                del self.store[key]


def _missing(case: Case) -> list[str]:
    import fieldops

    return [name for name in case.requires if not hasattr(fieldops, name)]


def evaluate(target: Target, row: dict) -> dict:
    """The value a target is judged on, and whether it is met."""
    times = row["times"]
    fo = times.get("fieldops")
    ref = times.get(target.ref) if target.ref else None
    value = None
    if fo is not None:
        if target.kind == "bw":
            value = row["bw"]
        elif target.kind == "faster" and ref:
            value = ref / fo
        elif target.kind == "within" and ref:
            value = fo / ref
        elif target.kind == "above" and ref:
            value = fo - ref
        elif target.kind == "max":
            value = fo
    if value is None:
        return {"target": target.label(), "value": None, "ok": None}
    ok = value >= target.value if target.kind in ("bw", "faster") else value <= target.value
    return {"target": target.label(), "value": value, "ok": bool(ok)}


def run_timed(case: Case, cache: DataCache, repeat: int) -> dict:
    d = cache.get(case.data)
    row = {"description": data.describe(case.data, d), "times": {}, "notes": []}
    contenders = {}
    try:
        contenders["fieldops"] = case.fieldops(cache.get)
    except Exception as err:  # an operator with another signature: report, go on
        row["notes"].append(f"fieldops: {type(err).__name__}: {err}")
        return row
    for name, binder in case.peers.items():
        try:
            contenders[name] = binder(cache.get)
        except ImportError as err:
            row["notes"].append(f"{name} skipped: {err}")
    arr = d["np"]
    contenders["copy"] = arr.copy
    import fieldops

    contenders["copy threaded"] = timing.threaded_copy(arr, fieldops.get_num_threads())
    checked = {}
    for name, func in contenders.items():
        try:
            func()
            checked[name] = func
        except Exception as err:
            row["notes"].append(f"{name} failed: {type(err).__name__}: {err}")
    row["times"] = timing.measure(checked, repeat)
    times = row["times"]
    fo = times.get("fieldops")
    if fo:
        row["bw"] = times["copy threaded"] * case.traffic / 2 / fo
        row["bw_numpy_copy"] = times["copy"] * case.traffic / 2 / fo
        row["speedup"] = {
            k: t / fo for k, t in times.items() if k not in ("fieldops", "copy", "copy threaded")
        }
    return row


def run_coldstart(case: Case, repeat: int) -> dict:
    cached = case.data == "cached"
    res = {"fieldops": coldstart.cold_start("fieldops", cached, repeat)}
    for name in case.peers:
        res[name] = coldstart.cold_start(name, cached, repeat)
    times = {k: v["total"] for k, v in res.items()}
    row = {
        "description": "new process, 1000x1000 float64",
        "times": times,
        "detail": res,
        "notes": [],
    }
    row["speedup"] = {k: t / times["fieldops"] for k, t in times.items() if k != "fieldops"}
    return row


def fmt_time(seconds: float | None, unit: str) -> str:
    if seconds is None:
        return "-"
    value = seconds * SCALE[unit]
    return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"


def format_row(case: Case, row: dict, markdown: bool) -> str:
    times = row.get("times", {})
    fo = times.get("fieldops")
    if row.get("status") == "skipped" or fo is None:
        text = "; ".join(row["notes"]) or "skipped"
        return f"| {case.name} | - | - | {text} |" if markdown else f"{case.name:<52} {text}"
    bw = "-"
    if "bw" in row and case.group != "overhead":  # a 100x100 copy measures no bandwidth
        bw = f"{row['bw']:.0%} / {row['bw_numpy_copy']:.0%}"
    others = ", ".join(
        f"{k} {fmt_time(times[k], case.unit)} ({row['speedup'][k]:.1f}x)"
        for k in row.get("speedup", {})
    )
    if markdown:
        return f"| {case.name} | {fmt_time(fo, case.unit)} | {bw} | {others} |"
    return f"{case.name:<52} {fmt_time(fo, case.unit):>9} {bw:>11}  {others}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-k", "--filter", help="regex on case name or group")
    parser.add_argument("--repeat", type=int, default=7, help="timed calls per contender")
    parser.add_argument("--scale", type=float, default=1.0, help="array sizes times this")
    parser.add_argument("--quick", action="store_true", help="--scale 0.1 --repeat 3")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write results")
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.repeat = 0.1, 3
    cases = [c for c in CASES if not args.filter or re.search(args.filter, f"{c.group}: {c.name}")]
    info = machine()
    print(
        f"fieldops benchmarks: {info['nproc']} cores ({info['cpu']}), fieldops threads "
        f"{info['fieldops_threads']}, numpy {info['versions']['numpy']}, numba "
        f"{info['versions']['numba']}; scale {args.scale}, median of {args.repeat}"
    )
    print(
        "speed-up = peer time / fieldops time; bw = fraction of copy bandwidth "
        "(threaded copy / numpy copy)"
    )
    if args.markdown:
        print("| case | fieldops | of copy bw | peers: time (fieldops's speed-up) |")
        print("| --- | ---: | ---: | --- |")
    cache = DataCache(args.scale)
    rows = []
    for i, case in enumerate(cases):
        needed = {k for c in cases[i:] if c.kind == "timed" for k in (c.data, *c.extra_data)}
        cache.keep_only(needed)
        missing = _missing(case)
        if missing:
            row = {
                "status": "skipped",
                "times": {},
                "notes": [f"skipped: fieldops.{', fieldops.'.join(missing)} not there yet"],
            }
        elif case.kind == "coldstart":
            row = run_coldstart(case, max(2, min(args.repeat, 3)))
        else:
            row = run_timed(case, cache, args.repeat)
        row.update(
            name=case.name, group=case.group, data=case.data, unit=case.unit, traffic=case.traffic
        )
        row["targets"] = [evaluate(t, row) for t in case.targets] if not missing else []
        rows.append(row)
        print(format_row(case, row, args.markdown), flush=True)
        for note in row["notes"] if row.get("times") else []:
            print(f"    note: {note}")
    cache.keep_only(set())
    info["loadavg_end"] = os.getloadavg()
    print("\ntargets (issue 7):")
    for row in rows:
        for t in row["targets"]:
            if t["ok"] is None:
                continue
            value = t["value"]
            shown = (
                f"{value:.0%}"
                if "bw" in t["target"]
                else (
                    f"{value * 1e6:.0f} us"
                    if "us above" in t["target"]
                    else f"{value:.2f} s"
                    if t["target"].endswith(" s")
                    else f"{value:.2f}x"
                )
            )
            print(f"  {'met ' if t['ok'] else 'MISS'}  {row['name']}: {t['target']} (got {shown})")
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.run "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "scale": args.scale,
        "repeat": args.repeat,
        "machine": info,
        "rows": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, default=float))
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
