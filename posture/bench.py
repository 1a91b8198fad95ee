"""Speed and memory benchmark: ``python -m posture bench [--quick] [--clip PATH ...]``.

One run prints a table; it is never a timed test. For each clip, three cases run side by
side, each in a fresh Python process (so peak memory, read from ``ru_maxrss``, is that
case's own):

- ``reference``  OpenCV ``cv2.VideoCapture`` decodes every frame and
  ``mp.solutions.pose.Pose(model_complexity=1)`` runs on each (BGR -> RGB), nothing else;
- ``analysis``   ``posture.analyse`` -> JSON report file;
- ``+annotated`` the same plus the annotated H.264 video.

Times cover the work only (opening the clip to the last file written, model set-up
included), not the interpreter start or the imports, which both sides pay alike. Cases run
interleaved and repeated (``--repeat``), and the median is shown, because other programs on
the machine disturb single runs. ``fps`` is the clip's frame count over that time, so a
case that skips frames is credited only with being faster.

First, unless ``--no-process``, the whole-process comparison (``--process`` runs only
that): ``python -m posture analyse CLIP --json OUT`` against ``REFERENCE_SCRIPT`` (the same
plain loop as a script), each a fresh interpreter, wall time from launch to exit, interpreter
start and imports included, run interleaved and repeated on every video of the media
folder; the ratio is the reference's median over the command's. ``CEILING_SCRIPT`` (the
plain loop on two cores, nothing else) runs beside them: the most any program could reach.
CPU seconds include the pose worker processes (the benchmark adopts them as a sub-reaper).

Then the live path: per-frame latency of ``LiveAnalyser.process`` at 640x480, and the
memory check: a 10-minute 1080p clip (made once from a sample and cached in the temp
folder) analysed to a JSON report.

Results and how to reproduce them: ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_MEDIA = PROJECT_ROOT.parent / "shared" / "media"
DEFAULT_CLIPS = (
    "walk_side_outdoor_sports2d.mp4",
    "one_leg_balance_front_pose2sim.mp4",
    "one_leg_balance_front_oblique_pose2sim.mp4",
)
QUICK_CLIPS = DEFAULT_CLIPS[:2]
# A quiet-standing clip the project made itself (samples/README.md): the case where the
# engine analyses fewer frames than the clip has.
STANDING_SAMPLE = PROJECT_ROOT / "samples" / "stand_side_hyperextended_knees.mp4"
CASES = ("reference", "analysis", "annotated")
LIVE_SIZE = (640, 480)
LIVE_FRAMES = 300  # 10 s at 30 fps: the analysis window fills up completely
LONG_CLIP_S = 600.0
LONG_CLIP_FPS = 30
LONG_CLIP_SOURCE = "one_leg_balance_front_oblique_pose2sim.mp4"
VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".webm", ".mkv")
# The plain loop as a program of its own: what someone without this engine would run.
REFERENCE_SCRIPT = """
import sys
import cv2
import mediapipe as mp
capture = cv2.VideoCapture(sys.argv[1])
with mp.solutions.pose.Pose(model_complexity=1) as pose:
    while True:
        ok, image_bgr = capture.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))
capture.release()
"""
# The most two cores can give the plain loop, with nothing else to do: two processes forked
# at launch, each importing OpenCV and MediaPipe and running one graph over half the clip
# (the second half starting OVERLAP frames early, as posture.parallel does). No subject
# scan, no measurements, no report: the ceiling for any program that both finds the pose
# of every frame and starts from nothing, as the ratio counts.
CEILING_SCRIPT = """
import os
import sys
OVERLAP = 30


def half(k):
    import cv2
    import mediapipe as mp
    capture = cv2.VideoCapture(sys.argv[1])
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    cut = round((total + OVERLAP) / 2)
    first, stop = (0, cut) if k == 0 else (max(0, cut - OVERLAP), total)
    with mp.solutions.pose.Pose(model_complexity=1) as pose:
        index = 0
        while index < stop and capture.grab():
            if index >= first:
                ok, image_bgr = capture.retrieve()
                if ok:
                    pose.process(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))
            index += 1
    capture.release()


children = []
for k in (0, 1):
    pid = os.fork()
    if pid == 0:
        half(k)
        os._exit(0)
    children.append(pid)
sys.exit(1 if any(os.waitpid(pid, 0)[1] for pid in children) else 0)
"""


# ----------------------------------------------------------------------------- workers
# Each runs in its own process and prints one JSON line on stdout.


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _work_reference(path: str) -> dict[str, Any]:
    import cv2
    import mediapipe as mp

    start, cpu = time.perf_counter(), _cpu_s()
    capture = cv2.VideoCapture(path)
    frames = 0
    with mp.solutions.pose.Pose(model_complexity=1) as pose:
        while True:
            ok, image_bgr = capture.read()
            if not ok:
                break
            pose.process(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))
            frames += 1
    capture.release()
    return {"wall_s": time.perf_counter() - start, "cpu_s": _cpu_s() - cpu, "frames": frames}


def _work_analysis(path: str, out_dir: str, annotated: bool) -> dict[str, Any]:
    import cv2  # noqa: F401 - imported before the clock starts, like the reference's
    import mediapipe  # noqa: F401

    from .pipeline import analyse
    from .report import write_json

    out = Path(out_dir)
    start, cpu = time.perf_counter(), _cpu_s()
    analysis = analyse(path, annotated_path=out / "annotated.mp4" if annotated else None)
    write_json(analysis.report, out / "report.json")
    wall = time.perf_counter() - start
    summary = analysis.report.summary
    return {
        "wall_s": wall, "cpu_s": _cpu_s() - cpu, "frames": analysis.info.frame_count,
        "frames_analysed": summary["frames_analysed"], "view": summary["view"],
        "activity": summary["activity"], "people_seen": summary.get("people_seen"),
    }


def _work_stages(path: str, out_dir: str) -> dict[str, Any]:
    """Where a ``python -m posture analyse`` run spends its time, stage by stage (wall and
    CPU seconds of this process; the pose workers' CPU is not in ``cpu``)."""
    stages: dict[str, tuple[float, float]] = {}
    mark = [time.perf_counter(), _cpu_s()]

    def lap(name: str) -> None:
        now, cpu = time.perf_counter(), _cpu_s()
        stages[name] = (now - mark[0], cpu - mark[1])
        mark[:] = [now, cpu]

    from . import pipeline
    from .config import Config
    lap("import engine")
    import mediapipe  # noqa: F401
    lap("import mediapipe")
    config = Config()
    from .parallel import start_server
    start_server(config.parallel)
    opened = pipeline.open_frames(path, config)
    lap("probe, subject scan, plan")
    with ExitStack() as stack:
        pose = pipeline._pose_pass(opened, config, None, pipeline._Workers(stack))
        lap("pose pass")
    analysis = pipeline.analyse_poses(pose, opened.info, config=config, plan=opened.plan)
    lap("filters, measurements, checks (with their SciPy import)")
    from .report import write_json

    write_json(analysis.report, Path(out_dir) / "report.json")
    lap("report")
    import cv2

    capture = cv2.VideoCapture(path)
    while capture.read()[0]:
        pass
    capture.release()
    lap("(the reference's OpenCV decoding alone)")
    return {"stages": stages, "frames_analysed": len(pose)}


def _letterbox(image_rgb, width_px: int, height_px: int):
    """Fit an image inside width x height, padding with black (a webcam-sized frame)."""
    import cv2
    import numpy as np

    h, w = image_rgb.shape[:2]
    scale = min(width_px / w, height_px / h)
    small = cv2.resize(image_rgb, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA)
    out = np.zeros((height_px, width_px, 3), np.uint8)
    y0, x0 = (height_px - small.shape[0]) // 2, (width_px - small.shape[1]) // 2
    out[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
    return out


def _work_live(path: str, n_frames: int) -> dict[str, Any]:
    import numpy as np

    from .live import LiveAnalyser
    from .source import open_media

    with open_media(path, max_side_px=max(LIVE_SIZE)) as media:
        clip = [_letterbox(f.image_rgb, *LIVE_SIZE) for f in media]
    # Play the clip forwards and backwards (no jump at the seams) at a camera's 30 fps.
    cycle = clip + clip[-2:0:-1] if len(clip) > 2 else clip
    latencies_ms = []
    with LiveAnalyser() as live:
        for i in range(n_frames):
            start = time.perf_counter()
            live.process(cycle[i % len(cycle)], i / 30.0)
            latencies_ms.append((time.perf_counter() - start) * 1000)
    steady = np.array(latencies_ms[1:])  # the first frame also builds the MediaPipe graph
    return {
        "frames": n_frames, "first_ms": latencies_ms[0],
        "median_ms": float(np.median(steady)), "p95_ms": float(np.percentile(steady, 95)),
        "max_ms": float(steady.max()),
    }


def _worker(argv: list[str]) -> int:
    kind, *args = argv
    if kind == "reference":
        result = _work_reference(args[0])
    elif kind in ("analysis", "annotated"):
        result = _work_analysis(args[0], args[1], annotated=kind == "annotated")
    elif kind == "live":
        result = _work_live(args[0], int(args[1]))
    elif kind == "stages":
        result = _work_stages(args[0], args[1])
    else:
        raise SystemExit(f"unknown worker {kind!r}")
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))
    return 0


# ----------------------------------------------------------------------------- runner


def _run_worker(*args: str) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p))
    done = subprocess.run(
        # Through ``python -m posture``: a main module the pose workers may import again
        # (``parallel.main_module_allows_workers``), as the command line's.
        [sys.executable, "-m", "posture", "bench", "--worker", *args],
        capture_output=True, text=True, env=env, cwd=PROJECT_ROOT,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"worker {args[0]} failed (exit {done.returncode}):\n{tail}")
    return json.loads(lines[-1])


def _describe(path: Path) -> str:
    from .source import probe

    info = probe(path)
    return (f"{info.width_px}x{info.height_px} {info.fps or 0:.0f} fps {info.codec}, "
            f"{info.frame_count} frames")


def bench_clip(path: Path, repeat: int, work_dir: Path) -> dict[str, dict[str, Any]]:
    """Median of ``repeat`` interleaved runs of every case on one clip."""
    runs: dict[str, list[dict[str, Any]]] = {case: [] for case in CASES}
    for _ in range(repeat):
        for case in CASES:
            if case == "reference":
                runs[case].append(_run_worker(case, str(path)))
            else:
                out = work_dir / f"{path.stem}-{case}"
                out.mkdir(parents=True, exist_ok=True)
                runs[case].append(_run_worker(case, str(path), str(out)))
    merged = {}
    for case, results in runs.items():
        merged[case] = dict(results[-1])
        for key in ("wall_s", "cpu_s"):
            merged[case][key] = statistics.median(r[key] for r in results)
        merged[case]["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
        merged[case]["walls_s"] = [round(r["wall_s"], 2) for r in results]
    return merged


def make_long_clip(source: Path, path: Path, duration_s: float = LONG_CLIP_S,
                   fps: int = LONG_CLIP_FPS) -> Path:
    """A ``duration_s`` clip at ``fps`` looping ``source`` forwards and backwards (H.264
    ultrafast, the source's own size); made once, then reused."""
    import av

    from .source import open_media

    if path.is_file():
        return path
    with open_media(source) as media:
        frames = [f.image_rgb for f in media]
    step = max(1, round((media.info.fps or fps) / fps))  # 60 fps source -> every 2nd frame
    frames = frames[::step]
    cycle = frames + frames[-2:0:-1]
    h, w = frames[0].shape[:2]
    tmp = path.with_suffix(".partial.mp4")
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "23"}
        for i in range(int(round(duration_s * fps))):
            frame = av.VideoFrame.from_ndarray(cycle[i % len(cycle)], format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    tmp.replace(path)
    return path


# ----------------------------------------------------------------------------- whole process


def _adopt_orphans() -> None:
    """Become the sub-reaper of what the benchmarked commands start, so the pose workers
    and their fork server (which outlive no one but are not waited for by the command)
    are reaped here and their CPU time counts (Linux; elsewhere it is left out)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _reap_orphans(timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.02)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed_process(command: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one fresh process, from launch to exit."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p))
    _reap_orphans(0.0)
    cpu = _children_cpu_s()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{' '.join(command[:4])} failed (exit {done.returncode}): {tail}")
    _reap_orphans()
    return wall, _children_cpu_s() - cpu


def bench_process(path: Path, repeat: int, work_dir: Path) -> dict[str, Any]:
    """``repeat`` interleaved rounds of the reference script and ``python -m posture
    analyse`` on one clip, each a fresh process."""
    out = work_dir / f"{path.stem}.json"
    runs: dict[str, list[tuple[float, float]]] = {"reference": [], "ceiling": [],
                                                  "analyse": []}
    load = os.getloadavg()[0]
    for _ in range(repeat):
        runs["reference"].append(_timed_process(
            [sys.executable, "-c", REFERENCE_SCRIPT, str(path)]))
        runs["ceiling"].append(_timed_process(
            [sys.executable, "-c", CEILING_SCRIPT, str(path)]))
        runs["analyse"].append(_timed_process(
            [sys.executable, "-m", "posture", "analyse", str(path), "--json", str(out)]))
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    result: dict[str, Any] = {"load": (load + os.getloadavg()[0]) / 2,
                              "frames_analysed": summary["frames_analysed"]}
    for case, values in runs.items():
        result[case] = {"wall_s": statistics.median(w for w, _ in values),
                        "cpu_s": statistics.median(c for _, c in values),
                        "walls_s": [round(w, 2) for w, _ in values]}
    result["ratio"] = result["reference"]["wall_s"] / result["analyse"]["wall_s"]
    result["ceiling_ratio"] = result["reference"]["wall_s"] / result["ceiling"]["wall_s"]
    result["cpu_ratio"] = result["reference"]["cpu_s"] / result["analyse"]["cpu_s"]
    return result


def format_process_table(results: dict[str, dict[str, Any]]) -> str:
    header = ["clip", "frames", "reference s", "analyse s", "ratio", "ceiling s",
              "ceiling ratio", "reference CPU s", "analyse CPU s", "load",
              "runs s (reference / analyse)"]
    rows = []
    for clip, r in results.items():
        ref, ours, top = r["reference"], r["analyse"], r["ceiling"]
        rows.append([clip, str(r["frames"]), f"{ref['wall_s']:.2f}", f"{ours['wall_s']:.2f}",
                     f"**{r['ratio']:.2f}**", f"{top['wall_s']:.2f}",
                     f"{r['ceiling_ratio']:.2f}", f"{ref['cpu_s']:.2f}",
                     f"{ours['cpu_s']:.2f}", f"{r['load']:.1f}",
                     f"{' '.join(map(str, ref['walls_s']))} / "
                     f"{' '.join(map(str, ours['walls_s']))}"])
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    lines = [_row(header, widths), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += [_row(row, widths) for row in rows]
    return "\n".join(lines)


def run_process_comparison(clips: list[Path], repeat: int, work_dir: Path) -> None:
    _adopt_orphans()
    print(f"whole process, {repeat} round(s) per clip, median shown: the plain-loop script "
          f"vs python -m posture analyse --json", flush=True)
    results = {}
    for clip in clips:
        from .source import probe

        frames = probe(clip).frame_count
        print(f"  {clip.name} ({frames} frames) ...", end=" ", flush=True)
        result = bench_process(clip, repeat, work_dir)
        result["frames"] = frames
        results[clip.name] = result
        print(f"ratio {result['ratio']:.2f} (CPU {result['cpu_ratio']:.2f}; two-process "
              f"ceiling {result['ceiling_ratio']:.2f}), load {result['load']:.1f}", flush=True)
    print()
    print(format_process_table(results))
    print(f"lowest ratio {min(r['ratio'] for r in results.values()):.2f} (target 1.3); "
          f"the two-process ceiling (CEILING_SCRIPT) reaches "
          f"{min(r['ceiling_ratio'] for r in results.values()):.2f} to "
          f"{max(r['ceiling_ratio'] for r in results.values()):.2f}")


# ----------------------------------------------------------------------------- table


def _row(cells: list[str], widths: list[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def format_table(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    header = ["clip", "case", "time s", "fps", "x ref", "CPU s", "peak MB", "frames analysed",
              "runs s"]
    rows = []
    for clip, cases in results.items():
        ref_wall = cases["reference"]["wall_s"]
        for case in CASES:
            r = cases[case]
            frames = r.get("frames") or 0
            analysed = "all" if case == "reference" else (
                f"{r['frames_analysed']} ({r['view']}, {r['activity']})")
            rows.append([
                clip if case == "reference" else "", case, f"{r['wall_s']:.2f}",
                f"{frames / r['wall_s']:.1f}" if frames else "?",
                f"{ref_wall / r['wall_s']:.2f}", f"{r['cpu_s']:.2f}",
                f"{r['peak_rss_mb']:.0f}", analysed, " ".join(map(str, r["walls_s"])),
            ])
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    lines = [_row(header, widths), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += [_row(row, widths) for row in rows]
    return "\n".join(lines)


def _annotated_overheads(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    parts = []
    for clip, cases in results.items():
        extra = cases["annotated"]["wall_s"] / cases["analysis"]["wall_s"] - 1
        parts.append(f"{clip} {extra * 100:+.0f}%")
    return "annotated video over the analysis: " + ", ".join(parts)


# ----------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m posture bench",
        description="Time the engine against a plain OpenCV + MediaPipe loop (see "
                    "bench/README.md). Takes minutes; the 10-minute memory check alone "
                    "takes several.")
    parser.add_argument("--quick", action="store_true",
                        help="two clips, one run each, shorter live run, no 10-minute clip")
    parser.add_argument("--clip", action="append", metavar="PATH",
                        help="benchmark this clip (repeatable) instead of the default ones")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per case, median shown (default 3, --quick 1)")
    parser.add_argument("--no-long", action="store_true", help="skip the 10-minute clip")
    parser.add_argument("--long", action="store_true", help="with --quick: run it anyway")
    parser.add_argument("--process", action="store_true",
                        help="only the whole-process comparison (every video of --media)")
    parser.add_argument("--stages", action="store_true",
                        help="only where the time goes, stage by stage (every video of "
                             "--media, or --clip)")
    parser.add_argument("--no-process", action="store_true",
                        help="skip the whole-process comparison")
    parser.add_argument("--media", default=str(SHARED_MEDIA),
                        help=f"folder of the sample clips (default {SHARED_MEDIA})")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--worker"]:
        return _worker(argv[1:])
    args = _parser().parse_args(argv)
    media = Path(args.media)
    if args.clip:
        clips = [Path(c) for c in args.clip]
    else:
        clips = [media / name for name in (QUICK_CLIPS if args.quick else DEFAULT_CLIPS)]
        if not args.quick and STANDING_SAMPLE.is_file():
            clips.append(STANDING_SAMPLE)
    missing = [str(c) for c in clips if not c.is_file()]
    if missing:
        print(f"error: clip not found: {', '.join(missing)} (give --clip PATH or --media DIR)",
              file=sys.stderr)
        return 2
    repeat = args.repeat or (1 if args.quick else 3)
    cores = os.cpu_count() or 1
    print(f"python {sys.version.split()[0]}, {cores} cores, load average "
          f"{os.getloadavg()[0]:.1f} at start; {repeat} run(s) per case, median shown")
    results: dict[str, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="posture-bench-") as tmp:
        if args.stages:
            videos = ([Path(c) for c in args.clip] if args.clip else sorted(
                p for p in media.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES))
            for clip in videos:
                r = _run_worker("stages", str(clip), tmp)
                print(f"{clip.name} ({r['frames_analysed']} frames analysed): " + ", ".join(
                    f"{name} {wall:.2f} s ({cpu:.2f} CPU s)"
                    for name, (wall, cpu) in r["stages"].items()), flush=True)
            return 0
        if not args.no_process:
            videos = ([Path(c) for c in args.clip] if args.clip else sorted(
                p for p in media.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES))
            run_process_comparison(videos, repeat, Path(tmp))
            if args.process:
                print(f"load average {os.getloadavg()[0]:.1f} at the end")
                return 0
            print()
        for clip in clips:
            print(f"  {clip.name}: {_describe(clip)} ...", flush=True)
            results[clip.name] = bench_clip(clip, repeat, Path(tmp))
        print()
        print(format_table(results))
        print(_annotated_overheads(results))

        live_clip = media / LONG_CLIP_SOURCE if (media / LONG_CLIP_SOURCE).is_file() else clips[0]
        frames = LIVE_FRAMES // 3 if args.quick else LIVE_FRAMES
        live = _run_worker("live", str(live_clip), str(frames))
        print(f"\nlive, {LIVE_SIZE[0]}x{LIVE_SIZE[1]} ({live_clip.name} letterboxed, {frames} "
              f"frames): median {live['median_ms']:.1f} ms, p95 {live['p95_ms']:.1f} ms, "
              f"max {live['max_ms']:.1f} ms, first frame {live['first_ms']:.0f} ms, "
              f"peak {live['peak_rss_mb']:.0f} MB")

        run_long = not args.no_long and (args.long or not args.quick)
        source = media / LONG_CLIP_SOURCE
        if run_long and source.is_file():
            long_path = Path(tempfile.gettempdir()) / (
                f"posture-bench-{LONG_CLIP_S / 60:.0f}min-{source.stem}.mp4")
            print(f"\n10-minute clip: {long_path} (made once from {source.name}) ...",
                  flush=True)
            make_long_clip(source, long_path)
            out = Path(tmp) / "long"
            out.mkdir()
            long = _run_worker("analysis", str(long_path), str(out))
            print(f"10-minute clip, {_describe(long_path)}: analysis {long['wall_s']:.0f} s "
                  f"({long['frames'] / long['wall_s']:.1f} fps), {long['frames_analysed']} "
                  f"frames analysed, peak {long['peak_rss_mb']:.0f} MB "
                  f"(target < 1024 MB)")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
