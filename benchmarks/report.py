"""Render a results JSON as the Markdown of ``benchmarks/README.md``.

python -m benchmarks.report [benchmarks/results/latest.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.run import RESULTS, SCALE


def _t(seconds: float, unit: str) -> str:
    value = seconds * SCALE[unit]
    return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"


def _shown(t: dict) -> str:
    value, label = t["value"], t["target"]
    if "copy bw" in label:
        return f"{value:.0%}"
    if "us above" in label:
        return f"{value * 1e6:.0f} us"
    if label.endswith(" s"):
        return f"{value:.2f} s"
    return f"{value:.2f}x"


def render(result: dict) -> str:
    m = result["machine"]
    v = m["versions"]
    lines = [
        f"Run {result['date']} with `{result['command'].strip()}`: {m['nproc']} cores "
        f"({m['cpu']}), fieldops threads {m['fieldops_threads']}, load average "
        f"{m['loadavg_start'][0]:.1f} at the start and {m['loadavg_end'][0]:.1f} at the end; "
        + ", ".join(f"{k} {val}" for k, val in v.items() if val),
        "",
        "| case | data | fieldops | of copy bw (threaded / numpy copy) "
        "| peers: time (fieldops's speed-up) |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for row in result["rows"]:
        times, unit = row.get("times", {}), row["unit"]
        if "fieldops" not in times:
            lines.append(f"| {row['name']} | | - | - | {'; '.join(row['notes'])} |")
            continue
        bw = "-"
        if "bw" in row and row["group"] != "overhead":  # a 100x100 copy measures no bandwidth
            bw = f"{row['bw']:.0%} / {row['bw_numpy_copy']:.0%}"
        peers = ", ".join(
            f"{k} {_t(times[k], unit)} ({s:.1f}x)" for k, s in row.get("speedup", {}).items()
        )
        lines.append(
            f"| {row['name']} | {row.get('description', '')} | {_t(times['fieldops'], unit)} "
            f"| {bw} | {peers} |"
        )
    lines += ["", "Targets of issue 7 in this run:", ""]
    for row in result["rows"]:
        for t in row.get("targets", []):
            if t["ok"] is not None:
                mark = "met" if t["ok"] else "**missed**"
                lines.append(f"- {mark}: {row['name']}: {t['target']} (got {_shown(t)})")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    print(render(json.loads(path.read_text())))
