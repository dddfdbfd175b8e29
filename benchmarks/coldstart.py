"""Cold start: a new Python process imports the library and makes its first call.

Run with Numba's on-disk cache warm (``NUMBA_CACHE_DIR`` filled by an earlier
process) and with an empty cache (every kernel compiled). The time is taken
inside the child, from before the first import to after the first call; the
child's whole wall time (interpreter start-up included) is reported too.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, time
t0 = time.perf_counter()
import numpy as np
import xarray as xr
t1 = time.perf_counter()
{imp}
t2 = time.perf_counter()
da = xr.DataArray(np.random.default_rng(0).standard_normal((1000, 1000)), dims=("y", "x"),
                  coords={{"x": np.arange(1000) * 0.25}})
t3 = time.perf_counter()
{call}
t4 = time.perf_counter()
print(json.dumps({{"import_xarray": t1 - t0, "import": t2 - t1, "first_call": t4 - t3,
                   "total": (t2 - t0) + (t4 - t3)}}))
"""

CODE = {
    "fieldops": ("import fieldops", "fieldops.diff(da, 'x')"),
    "xarray.differentiate": ("", "da.differentiate('x')"),
}


def _child(which: str, cache_dir: str) -> dict:
    imp, call = CODE[which]
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(imp=imp, call=call)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["process"] = time.perf_counter() - start
    return res


def cold_start(which: str, cached: bool, repeat: int = 3) -> dict:
    """Median of ``repeat`` new processes; each field in seconds."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="fieldops-numba-") as warm_dir:
        if cached:
            _child(which, warm_dir)  # fills the cache
        for _ in range(repeat):
            if cached:
                runs.append(_child(which, warm_dir))
            else:
                with tempfile.TemporaryDirectory(prefix="fieldops-numba-") as empty:
                    runs.append(_child(which, empty))
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


if __name__ == "__main__":
    for cached in (True, False):
        print("cached" if cached else "no cache", cold_start("fieldops", cached))
