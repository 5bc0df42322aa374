"""Time and memory of the CIN census import, against a bare streaming parse of the same file.

For each size asked for (children in one return), a synthetic authority is
simulated at the scale that gives about that many children in its 2024-25
return (:func:`perfkit.synth.simulation.generate`), the return is written
(:func:`perfkit.synth.cin_census.write_cin_census`), and each of these runs
in a fresh process, timed, with its peak resident memory (``VmHWM``, Linux):

- ``start``: Python with perfkit's import modules loaded, nothing read (the floor);
- ``bare``: :func:`xml.etree.ElementTree.iterparse` over the file, clearing each
  ``Child`` as it ends and doing nothing else (the least a streaming reader does);
- ``tree``: the whole file parsed into one tree (what not streaming costs);
- ``read``: :func:`perfkit.formats.cin_census_read.read_return`, the streaming
  reader with every value checked and every row kept;
- ``import``: :func:`perfkit.formats.cin_census.import_cin_census`, reading,
  merging and writing the canonical CSV files.

Each is run three times and the fastest kept (other work may share the
machine). ``trace`` is ``read`` again under ``tracemalloc`` (slower), for the
Python heap's peak: the parse itself needs no memory that grows with the
file; what grows is the rows kept, as polars frames.

Usage: ``python bench/cin_census.py [CHILDREN ...]`` (default 5000 50000).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILDREN_AT_SCALE_1 = 4400
"""About how many children the 2024-25 return of authority 990 holds at ``scale=1``."""

_RUN = r"""
import json, sys, time
mode, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
import xml.etree.ElementTree as ET
from pathlib import Path
from perfkit.formats.cin_census import import_cin_census
from perfkit.formats.cin_census_read import read_return
extra = {}
t = time.perf_counter()
if mode == "bare":
    children = None
    count = 0
    for event, element in ET.iterparse(path, events=("start", "end")):
        if event == "start":
            if children is None and element.tag == "Children":
                children = element
        elif element.tag == "Child":
            count += 1
            children.clear()
    extra["children"] = count
elif mode == "tree":
    extra["children"] = len(ET.parse(path).getroot().find("Children"))
elif mode == "read":
    result = read_return(Path(path), Path(path).name)
    result.flush()
    extra["children"] = result.children
    extra["rows"] = {k: sum(f.height for f in v) for k, v in result.frames.items()}
elif mode == "trace":
    import tracemalloc
    tracemalloc.start()
    result = read_return(Path(path), Path(path).name)
    result.flush()
    rows = sum(f.height for v in result.frames.values() for f in v)
    extra["python_heap_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    del result
    extra["rows"] = rows
elif mode == "import":
    result = import_cin_census([Path(path)], Path(out))
    extra["status"] = result.status
    extra["problems"] = len(result.log.problems)
seconds = time.perf_counter() - t
# VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec, so it would report the parent's peak
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"mode": mode, "seconds": round(seconds, 3), "peak_rss_mb": round(peak / 1024, 1), **extra}))
"""


REPEATS = 3
"""Each run is made this many times, and the fastest kept: the machine may be busy with other work."""


def _measure(mode: str, path: Path, out: Path) -> dict:
    runs = []
    for _ in range(1 if mode == "trace" else REPEATS):
        done = subprocess.run([sys.executable, "-c", _RUN, mode, str(path), str(out)], capture_output=True, text=True,
                              check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return min(runs, key=lambda run: run["seconds"])


def bench(children: int, folder: Path) -> dict:
    from perfkit.synth.cin_census import write_cin_census
    from perfkit.synth.simulation import DEFAULT_AUTHORITIES, generate

    scale = children / CHILDREN_AT_SCALE_1
    started = time.perf_counter()
    tables = generate(seed=2025, authorities=DEFAULT_AUTHORITIES[:1], scale=scale)
    simulated = time.perf_counter() - started
    path = folder / f"cin_{children}.xml"
    started = time.perf_counter()
    write_cin_census(tables, path, "990", 2025)
    written = time.perf_counter() - started
    del tables
    runs = {mode: _measure(mode, path, folder / f"out_{children}") for mode in ("start", "bare", "tree", "read", "trace", "import")}
    floor = runs["start"]["peak_rss_mb"]
    return {
        "children": runs["bare"]["children"], "file_mb": round(path.stat().st_size / 2**20, 1), "scale": round(scale, 2),
        "simulate_s": round(simulated, 1), "write_s": round(written, 2), "runs": runs,
        "import_vs_bare_time": round(runs["import"]["seconds"] / runs["bare"]["seconds"], 2),
        "read_vs_bare_time": round(runs["read"]["seconds"] / runs["bare"]["seconds"], 2),
        "rss_above_floor_mb": {m: round(r["peak_rss_mb"] - floor, 1) for m, r in runs.items() if m != "start"},
    }


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [5_000, 50_000]
    with tempfile.TemporaryDirectory(prefix="perfkit-cin-bench-") as tmp:
        for size in sizes:
            print(json.dumps(bench(size, Path(tmp)), indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
