"""posture.feed: which frames reach MediaPipe, how often the clip is decoded, at what rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from media_factory import make_video

from posture.config import Config, config_from_dict
from posture.errors import InputError
from posture.feed import (
    FramePlan,
    _analysis_step,
    _KeepFrames,
    _standing_step,
    open_frames,
    reopen_every_frame,
)
from posture.source import DisplayCopies, Frame, MediaInfo
from posture.subject import Sighting, SubjectPlan, Track


def _info(fps: float, duration_s: float) -> MediaInfo:
    return MediaInfo("video", 640, 480, fps, duration_s, round(fps * duration_s), 0, "h264",
                     None)


def _frames(n: int, side_px: int = 8) -> list[Frame]:
    return [Frame(i, i / 30, np.full((side_px, side_px, 3), i, np.uint8)) for i in range(n)]


# ----------------------------------------------------------------------------- rates


@pytest.mark.parametrize(("fps", "duration_s", "step"), [
    (30.0, 10.0, 2),  # 15 frames/s: the least the 6 Hz low-pass filter needs is 13.3
    (60.0, 10.0, 4),
    (25.0, 10.0, 1),  # every 2nd frame would be 12.5 frames/s: too few
    (30.0, 4.0, 1),  # too short to bother
])
def test_quiet_standing_rate_never_drops_below_what_the_filter_needs(
        fps: float, duration_s: float, step: int) -> None:
    assert _standing_step(_info(fps, duration_s), Config()) == step


def test_quiet_standing_rate_can_be_switched_off() -> None:
    every_frame = config_from_dict({"standing_analysis_fps": 0})
    assert _standing_step(_info(30.0, 10.0), every_frame) == 1


def _samples(centres_px: list[tuple[float, float]], heights_px: list[float]
             ) -> list[list[Sighting]]:
    return [[Sighting(0.5 * i, c, (c[0] - 50, c[1] - 200, c[0] + 50, c[1] + 200), h)]
            for i, (c, h) in enumerate(zip(centres_px, heights_px, strict=True))]


def test_a_person_standing_still_is_analysed_at_the_reduced_rate() -> None:
    samples = _samples([(320 + i % 2, 240) for i in range(20)], [300.0] * 20)
    plan = SubjectPlan(None, 1, "")
    assert _analysis_step(_info(30.0, 10.0), plan, samples, Config()) == 2


@pytest.mark.parametrize("how", ["walks", "comes closer", "seen too rarely"])
def test_anyone_not_standing_still_gets_every_frame(how: str) -> None:
    centres = [(320.0, 240.0)] * 20
    heights = [300.0] * 20
    if how == "walks":
        centres = [(100.0 + 20 * i, 240.0) for i in range(20)]
    elif how == "comes closer":
        heights = [200.0 + 10 * i for i in range(20)]
    samples = _samples(centres, heights)
    if how == "seen too rarely":
        samples = [s if i % 2 else [] for i, s in enumerate(samples)]
    plan = SubjectPlan(None, 1, "")
    assert _analysis_step(_info(30.0, 10.0), plan, samples, Config()) == 1


def test_the_followed_subject_decides_the_rate_not_a_bystander() -> None:
    walker = _samples([(100.0 + 20 * i, 240.0) for i in range(20)], [300.0] * 20)
    plan = SubjectPlan(Track([s[0] for s in walker]), 2, "")
    still = _samples([(320.0, 240.0)] * 20, [400.0] * 20)
    both = [a + b for a, b in zip(walker, still, strict=True)]
    assert _analysis_step(_info(30.0, 10.0), plan, both, Config()) == 1


# ----------------------------------------------------------------------------- decode once


def test_kept_frames_are_dropped_all_at_once_when_they_do_not_fit() -> None:
    fits = _KeepFrames(iter(_frames(4)), max_bytes=4 * 8 * 8 * 3)
    assert [f.index for f in fits] == [0, 1, 2, 3]
    assert fits.complete and [f.index for f in fits.frames or []] == [0, 1, 2, 3]
    too_many = _KeepFrames(iter(_frames(5)), max_bytes=4 * 8 * 8 * 3)
    assert [f.index for f in too_many] == [0, 1, 2, 3, 4]  # passed through all the same
    assert not too_many.complete and too_many.frames is None


# ----------------------------------------------------------------------------- sources


def test_an_image_array_is_one_photo() -> None:
    opened = open_frames(np.zeros((120, 80, 3), np.uint8), Config())
    assert opened.mode == "image" and opened.info.kind == "image"
    assert (opened.info.width_px, opened.info.height_px) == (80, 120)
    assert len(list(opened.frames.open())) == 1


def test_camera_frames_are_live_and_an_empty_list_is_refused() -> None:
    opened = open_frames(_frames(3, side_px=64), Config())
    assert opened.info.kind == "live" and opened.mode == "video"
    assert [f.index for f in opened.frames.open()] == [0, 1, 2]
    with pytest.raises(InputError, match="No frames"):
        open_frames([], Config())


def test_a_short_clip_is_decoded_once_and_its_frames_planned_before_the_pass(
        tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=6, width_px=128, height_px=96)
    opened = open_frames(path, Config())
    # The scan's frames are the plan: the pose pass decodes nothing again.
    assert opened.frames.kept is not None and opened.frames.path is None
    assert [f.index for f in opened.frames.open()] == list(range(6))
    assert opened.frames.expected_frames == 6


def test_a_fresh_pass_keeps_the_plan_and_the_display_copies(tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=6, width_px=128, height_px=96)
    copies = DisplayCopies(max_side_px=64, max_fps=30.0, max_bytes=10**7)
    opened = open_frames(path, Config(), copies)
    opened.plan = SubjectPlan(None, 1, "nobody to follow")
    again = reopen_every_frame(path, opened, Config())
    assert again.frames.path == path and again.frames.kept is None
    reader = again.frames.open(copies=again.copies)
    try:
        assert [f.index for f in reader] == list(range(6))
    finally:
        reader.close()
    assert again.plan is opened.plan and again.copies is copies
    assert [f.index for f in copies.frames() or []] == list(range(6))


@pytest.mark.parametrize("every_nth", [1, 2])
def test_a_plan_read_in_stretches_gives_the_frames_of_one_read(
        tmp_path: Path, every_nth: int) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=20, width_px=128, height_px=96)
    plan = FramePlan(path=path, max_side_px=64, every_nth=every_nth, frame_count=20)
    whole = [(f.index, f.t_s, f.image_rgb.tobytes()) for f in plan.open()]
    parts = []
    for first, stop in ((0, 8), (8, 14), (14, None)):
        reader = plan.open(first, stop)
        parts += [(f.index, f.t_s, f.image_rgb.tobytes()) for f in reader]
        reader.close()
    assert parts == whole and len(whole) == 20 // every_nth
    kept = FramePlan(kept=[Frame(i, i / 30, np.zeros((2, 2, 3), np.uint8))
                           for i in range(0, 20, every_nth)])
    assert [f.index for f in kept.open(8, 14)] == [i for i in range(8, 14) if i % every_nth == 0]
    assert kept.index_of(3) == 3 * every_nth == plan.index_of(3)


def test_display_copies_cover_the_clip_when_the_stretch_stops_early(tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=12, width_px=128, height_px=96)
    copies = DisplayCopies(max_side_px=64, max_fps=30.0, max_bytes=10**7)
    plan = FramePlan(path=path, max_side_px=64, frame_count=12)
    reader = plan.open(0, 5, copies)
    assert [f.index for f in reader] == [0, 1, 2, 3, 4]
    reader.close()
    assert [f.index for f in copies.frames() or []] == list(range(12))
