"""A frame where MediaPipe finds nobody in the whole picture, while the scan saw the one
person in view, is searched again in a crop around where the scan saw them (issue 11: on
dev renders of walkers a fifth of the picture tall, whole frames missed them for the first
second, and the gait lost its first strides)."""

from __future__ import annotations

import numpy as np

from posture.config import PoseConfig
from posture.pose import (
    PoseFrame,
    RetryEstimator,
    _empty_frame,
    estimate_prepared,
    prepare_frame,
)
from posture.source import Frame
from posture.subject import Sighting, SubjectPlan, Track, choose_subject

WALKER = Track([Sighting(t, (200.0 + 100 * t, 300.0), (150.0 + 100 * t, 150.0,
                                                          250.0 + 100 * t, 450.0), 250.0)
                for t in (1.0, 1.5, 2.0, 2.5)])


class FakeEstimator:
    """Finds a person only in pictures narrower than ``finds_below_px``."""

    def __init__(self, finds_below_px: int) -> None:
        self.config = PoseConfig()
        self.finds_below_px = finds_below_px
        self.shown: list[tuple[int, int]] = []

    def estimate(self, image, index, t_s, width_px, height_px) -> PoseFrame:  # noqa: ANN001
        self.shown.append(image.shape[:2])
        frame = _empty_frame(index, t_s)
        if image.shape[1] < self.finds_below_px:
            frame.xy_px = np.full_like(frame.xy_px, 10.0)  # 10 px into the picture shown
        return frame


def test_the_lone_person_the_scan_saw_is_kept_for_a_second_look() -> None:
    plan = choose_subject([WALKER])
    assert plan.track is None and plan.seen is WALKER  # the whole frame is analysed
    box = plan.retry_box(1.75, 1280, 720, reach_s=1.5)
    assert box is not None and box[0] < 350 < box[2] and box[1] < 300 < box[3]
    # Before the first sighting the walk is extrapolated backwards, within the reach only.
    early = plan.retry_box(0.0, 1280, 720, reach_s=1.5)
    assert early is not None and early[0] < box[0]
    assert plan.retry_box(-1.0, 1280, 720, reach_s=1.5) is None
    assert plan.retry_box(1.75, 1280, 720, reach_s=0.0) is None
    # A followed subject is cropped anyway: no second look.
    assert SubjectPlan(WALKER, 2, "", seen=WALKER).retry_box(1.75, 1280, 720, 1.5) is None


def test_a_whole_frame_with_nobody_is_searched_again_in_the_crop() -> None:
    plan = choose_subject([WALKER])
    frame = Frame(7, 1.75, np.zeros((720, 1280, 3), np.uint8))
    prepared = prepare_frame(frame, 1280, 720, PoseConfig(), retry_for=lambda t: plan.retry_box(
        t, 1280, 720, 1.5))
    assert prepared.retry_box_px is not None and prepared.image_rgb.shape == (720, 1280, 3)
    whole, crop = FakeEstimator(finds_below_px=1000), FakeEstimator(finds_below_px=1000)
    found = estimate_prepared(whole, prepared, lambda: crop)
    assert found.found
    # Found in the crop (under the size limit, so not shrunk), given in pixels of the
    # whole frame.
    x0, y0, x1, y1 = prepared.retry_box_px
    assert crop.shown == [(y1 - y0, x1 - x0)] and whole.shown == [(720, 1280)]
    assert np.allclose(found.xy_px[0], (x0 + 10.0, y0 + 10.0))


def test_no_second_look_when_the_whole_frame_found_someone_or_none_was_asked() -> None:
    frame = Frame(0, 0.0, np.zeros((100, 200, 3), np.uint8))
    seen = FakeEstimator(finds_below_px=10_000)
    retry = FakeEstimator(finds_below_px=10_000)
    prepared = prepare_frame(frame, 200, 100, PoseConfig(), retry_for=lambda t: (0, 0, 50, 50))
    assert estimate_prepared(seen, prepared, lambda: retry).found and retry.shown == []
    nobody = FakeEstimator(finds_below_px=0)
    plain = prepare_frame(frame, 200, 100, PoseConfig())
    assert plain.retry_box_px is None
    assert not estimate_prepared(nobody, plain, lambda: retry).found and retry.shown == []


def test_the_retry_estimator_is_built_only_when_needed() -> None:
    with RetryEstimator(PoseConfig()) as retry:
        assert retry._estimator is None  # no MediaPipe graph for a video that needs none
