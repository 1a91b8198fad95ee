"""posture.parallel: one video's pose pass cut into stretches on worker processes.

The joined pass must equal one pass over the whole clip within the filters' tolerance;
photos, camera frames, short clips and one-core machines use one graph; a worker that dies
ends the analysis with one line, not a hang. No timings here (bench/README.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest

from posture import parallel, pipeline
from posture.config import config_from_dict
from posture.feed import FramePlan, Opened, open_frames
from posture.source import Frame, MediaInfo

ROOT = Path(__file__).resolve().parents[1]
WALK = ROOT / "samples" / "walk_side_normal.mp4"  # 120 frames, one walker side-on
PHOTO = ROOT / "samples" / "stand_side_neutral.jpg"
# Short enough for a quick test, long enough for two stretches with their overlap; the
# seam always joins (``JOIN``) or never does (``NO_JOIN``: the first graph goes on).
JOIN = {"parallel": {"min_frames": 40, "overlap_frames": 30, "seam_max_offset_share": 1.0}}
NO_JOIN = {"parallel": {"min_frames": 40, "overlap_frames": 30, "seam_max_offset_share": 0.0}}
SINGLE = {"parallel": {"enabled": False}}


@pytest.fixture(scope="module", autouse=True)
def _run_as_python_dash_m():
    """These tests run as ``python -m posture`` would: earlier tests in the same session
    (Streamlit's AppTest, spawned pools) may leave another ``__main__`` behind, and a
    script's ``__main__`` rightly gets one graph (``main_module_allows_workers``, tested
    on its own below)."""
    import types

    main = types.ModuleType("__main__")
    main.__spec__ = types.SimpleNamespace(name="posture.__main__")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "__main__", main)
        yield


def _info(frames: int) -> MediaInfo:
    return MediaInfo("video", 640, 480, 30.0, frames / 30, frames, 0, "h264", None)


# ----------------------------------------------------------------------------- the cuts


@pytest.mark.parametrize(("frames", "workers", "overlap", "every_nth"), [
    (120, 2, 30, 1), (121, 2, 30, 2), (1000, 3, 25, 1), (95, 2, 40, 1)])
def test_stretches_cover_every_frame_once_and_take_about_as_long(
        frames: int, workers: int, overlap: int, every_nth: int) -> None:
    plan = FramePlan(path="clip.mp4", every_nth=every_nth, frame_count=frames)
    cuts = parallel.stretches(plan, workers, overlap)
    indices = range(0, frames, every_nth)
    kept = [[i for i in indices if i >= c.first_index
             and (c.stop_index is None or i < c.stop_index)] for c in cuts]
    assert sorted(sum(kept, [])) == list(indices)  # each frame kept by exactly one stretch
    read = [len([i for i in indices if i >= c.warm_index
                 and (c.stop_index is None or i < c.stop_index)]) for c in cuts]
    assert max(read) - min(read) <= 2  # the overlap is paid for by a shorter stretch
    assert all(c.first_index - c.warm_index == overlap * every_nth for c in cuts[1:])
    assert cuts[0].warm_index == cuts[0].first_index == 0


# ----------------------------------------------------------------------------- fallbacks


def _opened(kind: str, frames: int, mode: str = "video") -> Opened:
    info = _info(frames)
    info = MediaInfo(kind, *[getattr(info, f) for f in
                             ("width_px", "height_px", "fps", "duration_s", "frame_count",
                              "rotation_deg", "codec", "path")])
    plan = FramePlan(path="clip.mp4", frame_count=frames)
    return Opened(info, plan, mode, None)


def test_one_graph_for_photos_camera_frames_short_clips_and_one_core(
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_from_dict({})
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    assert parallel.worker_count(_opened("video", 300), config) == 2
    assert parallel.worker_count(_opened("image", 1, "image"), config) == 1
    assert parallel.worker_count(_opened("live", 300), config) == 1
    assert parallel.worker_count(_opened("video", 60), config) == 1  # short clip
    assert parallel.worker_count(_opened("video", 300), config_from_dict(SINGLE)) == 1
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    assert parallel.worker_count(_opened("video", 300), config) == 1


def test_a_script_that_could_run_again_in_each_worker_gets_one_graph(
        monkeypatch: pytest.MonkeyPatch) -> None:
    class Script:  # ``python myscript.py``: a main module with a path and no spec
        __spec__ = None
        __file__ = "/somewhere/myscript.py"

    monkeypatch.setitem(sys.modules, "__main__", Script())
    assert not parallel.main_module_allows_workers()
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    assert parallel.worker_count(_opened("video", 300), config_from_dict({})) == 1


def test_one_core_and_a_photo_never_start_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(parallel, "PoseWorkers", refuse)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    short = config_from_dict({"parallel": {"min_frames": 10}})
    frames = [Frame(i, i / 30, np.zeros((64, 48, 3), np.uint8)) for i in range(40)]
    assert len(pipeline.analyse(frames, config=short).pose) == 40  # camera frames
    assert len(pipeline.analyse(PHOTO, config=short).pose) == 1


# ----------------------------------------------------------------------------- the join


@pytest.fixture(scope="module")
def walk_passes() -> dict[str, pipeline.Analysis]:
    """The sample walk analysed in one pass and in two stretches, joined at the seam or
    not (about 15 s together)."""
    return {name: pipeline.analyse(WALK, config=config_from_dict(settings))
            for name, settings in (("single", SINGLE), ("split", JOIN), ("no_join", NO_JOIN))}


def test_the_split_pass_really_ran_in_two_stretches(monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_from_dict(JOIN)
    opened = open_frames(WALK, config)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    assert parallel.worker_count(opened, config) == 2
    cuts = parallel.stretches(opened.frames, 2, 30)
    assert 0 < cuts[1].warm_index < cuts[1].first_index < 120


def test_two_stretches_joined_equal_one_pass(walk_passes) -> None:
    single, split = walk_passes["single"], walk_passes["split"]
    assert np.array_equal(single.pose.frame_index, split.pose.frame_index)
    assert np.array_equal(single.pose.found, split.pose.found)
    cut = parallel.stretches(open_frames(WALK, config_from_dict(JOIN)).frames, 2, 30)[1]
    before = single.pose.frame_index < cut.first_index
    # The second graph's landmarks were used (the seam joined): they are not the first's.
    assert not np.array_equal(single.pose.xy_px[~before], split.pose.xy_px[~before])
    # The first stretch is the single pass itself, frame for frame.
    assert np.array_equal(single.pose.xy_px[before], split.pose.xy_px[before])
    # After the cut the second graph has settled: within a few pixels of a 640 px frame
    # (MediaPipe's own tests allow 15 px on its reference video).
    gap_px = np.abs(single.pose.xy_px - split.pose.xy_px).max(axis=(1, 2))
    assert np.nanmax(gap_px) < 8.0
    assert np.nanmedian(gap_px[~before]) < 2.0


def test_a_seam_that_does_not_join_is_analysed_on_by_the_first_graph(walk_passes) -> None:
    single, no_join = walk_passes["single"].pose, walk_passes["no_join"].pose
    assert np.array_equal(single.frame_index, no_join.frame_index)
    assert np.array_equal(single.xy_px, no_join.xy_px, equal_nan=True)


def test_a_seam_joins_only_where_both_graphs_see_the_same_person() -> None:
    from posture.pose import PoseFrame

    def frames(offset_px: float, found: bool = True) -> list[PoseFrame]:
        xy = np.full((33, 2), 100.0 + offset_px) if found else np.full((33, 2), np.nan)
        return [PoseFrame(i, i / 30, xy.copy(), np.zeros(33), np.ones(33), np.zeros((33, 3)))
                for i in range(40, 60)]

    cut = parallel.Stretch(40, 50, None)
    info = _info(100)  # 640 px: 1% is 6.4 px
    settings = config_from_dict({}).parallel
    assert parallel.seam_agrees(frames(0), frames(3), cut, info, settings)
    assert not parallel.seam_agrees(frames(0), frames(30), cut, info, settings)  # someone else
    assert not parallel.seam_agrees(frames(0), frames(0, found=False), cut, info, settings)


def test_two_stretches_give_the_same_findings_and_measurements(walk_passes) -> None:
    single = walk_passes["single"].report.to_dict()
    split = walk_passes["split"].report.to_dict()
    assert [(f["status"], f["severity"], f["side"]) for f in single["findings"]] == [
        (f["status"], f["severity"], f["side"]) for f in split["findings"]]
    assert single["summary"]["view"] == split["summary"]["view"]
    assert single["summary"]["activity"] == split["summary"]["activity"]
    compared = 0
    for name, stats in single["measurements"].items():
        for key, value in stats.items():
            other = split["measurements"][name][key]
            if isinstance(value, float) and name.endswith("_deg") and key in (
                    "median", "mean", "p10", "p90"):
                # bench/README.md: the joined pass is within 0.3 deg of one pass here
                # (other clips: up to 2 deg on an asymmetry, findings unchanged).
                assert abs(value - other) <= 0.3, (name, key, value, other)
                compared += 1
    assert compared > 10


# ----------------------------------------------------------------------------- failures


def test_a_worker_that_dies_ends_the_pass_with_one_line_not_a_hang() -> None:
    config = config_from_dict(JOIN)
    opened = open_frames(WALK, config)
    with ExitStack() as stack:
        workers = stack.enter_context(parallel.PoseWorkers(2, "video", config))
        os.kill(workers.pids[1], signal.SIGKILL)
        start = time.monotonic()
        with pytest.raises(parallel.PoseWorkerError) as failure:
            workers.run(opened, config, None, None)
        assert time.monotonic() - start < 30
    message = str(failure.value)
    assert "\n" not in message and "pose worker process 2 of 2" in message


def test_the_command_line_starts_the_worker_server_only_for_a_long_enough_video(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    settings = config_from_dict({"parallel": {"min_frames": 40}}).parallel
    assert parallel.start_early(["analyse", str(WALK), "--json", "x.json"], settings)
    assert not parallel.start_early(["analyse", str(PHOTO)], settings)
    assert not parallel.start_early(["analyse", str(ROOT / "missing.mp4")], settings)
    assert not parallel.start_early(["evaluate", str(WALK)], settings)
    short = config_from_dict({"parallel": {"min_frames": 500}}).parallel
    assert not parallel.start_early(["analyse", str(WALK)], short)


def test_a_daemonic_process_gets_one_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    class Daemonic:
        daemon = True

    monkeypatch.setattr(multiprocessing, "current_process", lambda: Daemonic())
    assert not parallel.main_module_allows_workers()


def test_the_command_line_with_workers_reports_as_before_and_quietly(tmp_path: Path) -> None:
    out = tmp_path / "walk.json"
    done = subprocess.run(
        [sys.executable, "-m", "posture", "analyse", str(WALK), "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # the workers' MediaPipe chatter stays hidden too
    assert out.is_file() and "View: side left" in done.stdout


def test_mediapipe_is_imported_without_matplotlib_which_still_works_when_used() -> None:
    # A fresh interpreter: the test process may have matplotlib loaded already.
    code = (
        "import sys\n"
        "from posture.pose import import_mediapipe\n"
        "import_mediapipe()\n"
        "assert type(sys.modules['matplotlib']).__name__ == '_LoadedOnUse'\n"
        "import matplotlib.pyplot as plt\n"
        "import matplotlib.colors as colors\n"
        "assert colors.to_rgb('red') == (1.0, 0.0, 0.0) and callable(plt.figure)\n"
        "from mediapipe.python.solutions import drawing_utils\n"
        "assert drawing_utils.plt.subplots is plt.subplots\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr[-2000:]
