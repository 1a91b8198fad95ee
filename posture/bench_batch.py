"""Batch throughput: ``python -m posture.bench_batch [--folder DIR] [--cases ...]``.

Runs ``python -m posture batch FOLDER --out TMP`` from scratch (a fresh output folder, so
nothing is skipped) once per case, each in its own process, and prints one row per case:
wall time of the whole command (interpreter start, worker or Ray start-up and the summary
included), files per minute and pose frames per second (the ``frames_analysed`` of every
report, summed; a standing clip may be analysed at a reduced rate, so these are the
frames MediaPipe actually ran on).

``cpu s`` is the CPU time of the command and the worker processes it waited for (Ray's
daemons are only partly counted); the load average is printed because other programs on
the machine slow every case.

Cases: ``local-1`` (one worker process), ``local-2`` (two), ``ray-2`` (a local Ray
instance with two CPUs, start-up included). Default folder: ``samples/``.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "local-1": ["--workers", "1"],
    "local-2": ["--workers", "2"],
    "ray-2": ["--ray", "local", "--workers", "2"],
}


def _children_cpu_s() -> float:
    # CPU of finished child processes and the descendants they waited for (the batch's
    # worker processes; Ray's own daemons only in part).
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_case(folder: Path, case: str) -> dict[str, float | int | str]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    with tempfile.TemporaryDirectory(prefix="posture-bench-batch-") as tmp:
        out = Path(tmp) / "out"
        cpu_before = _children_cpu_s()
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "posture", "batch", str(folder), "--out",
                              str(out), "--no-progress", *CASES[case]],
                             cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
        wall_s = time.perf_counter() - start
        cpu_s = _children_cpu_s() - cpu_before
        if run.returncode not in (0, 1) or not (out / "summary.csv").is_file():
            raise SystemExit(f"error: case {case} failed: {run.stderr.strip()[-300:]}")
        with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
            rows = [row for row in csv.DictReader(fh) if row["status"] in ("ok", "failed")]
    frames = sum(int(row["frames_analysed"] or 0) for row in rows)
    return {"case": case, "files": len(rows),
            "failed": sum(r["status"] == "failed" for r in rows), "frames": frames,
            "wall_s": wall_s, "cpu_s": cpu_s, "files_per_min": 60 * len(rows) / wall_s,
            "frames_per_s": frames / wall_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posture.bench_batch",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=str(PROJECT_ROOT / "samples"),
                        help="recordings to analyse (default: samples/)")
    parser.add_argument("--cases", nargs="+", choices=tuple(CASES), default=list(CASES))
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"error: no such folder: {folder}", file=sys.stderr)
        return 2
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Batch throughput over {folder} ({cores} cores available, load average {load}); "
          "whole command, start-up included.")
    print(f"{'case':<9} {'files':>5} {'failed':>6} {'frames':>6} {'wall s':>7} {'cpu s':>6} "
          f"{'files/min':>9} {'frames/s':>8}")
    results = []
    for case in args.cases:
        result = run_case(folder, case)
        results.append(result)
        print(f"{result['case']:<9} {result['files']:>5} {result['failed']:>6} "
              f"{result['frames']:>6} {result['wall_s']:>7.1f} {result['cpu_s']:>6.1f} "
              f"{result['files_per_min']:>9.1f} "
              f"{result['frames_per_s']:>8.1f}", flush=True)
    base = next((r for r in results if r["case"] == "local-1"), None)
    if base is not None:
        for result in results:
            if result is not base:
                print(f"{result['case']}: {base['wall_s'] / result['wall_s']:.2f}x local-1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
