"""posture.view: which side the camera sees, and standing versus walking."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_landmarks import (
    build,
    concat,
    figure,
    leg_length,
    mirror,
    standing,
    walking,
    without_person,
)

from posture.config import ViewConfig
from posture.pose import PoseSequence
from posture.view import VIEWS, classify_activity, estimate_view, frame_views


def _estimate(pose: PoseSequence, config: ViewConfig | None = None):
    return estimate_view(pose.xy_px, pose.t_s, config or ViewConfig())


@pytest.mark.parametrize("view, sign", [("side_left", -1.0), ("side_right", 1.0)])
def test_side_views_and_the_facing_direction(view, sign):
    estimate = _estimate(standing(view=view))
    assert estimate.view == view
    assert estimate.view_share == 1.0
    assert set(estimate.per_frame) == {view}
    assert np.all(estimate.forward_sign == sign)


@pytest.mark.parametrize("view", ["front", "back"])
def test_front_and_back_views_have_no_forward_sign(view):
    estimate = _estimate(standing(view=view))
    assert estimate.view == view
    assert set(estimate.per_frame) == {view}
    assert np.all(estimate.forward_sign == 0)


@pytest.mark.parametrize("azimuth_deg", [45.0, 135.0, 225.0, 315.0])
def test_a_45_degree_oblique_view_is_unknown(azimuth_deg):
    estimate = _estimate(standing(view=azimuth_deg))
    assert estimate.view == "unknown"
    assert np.all(estimate.forward_sign == 0)


@pytest.mark.parametrize("azimuth_deg, expected", [(15.0, "front"), (165.0, "back"),
                                                   (80.0, "side_right"), (280.0, "side_left")])
def test_slightly_turned_views_keep_their_label(azimuth_deg, expected):
    assert _estimate(standing(view=azimuth_deg)).view == expected


@pytest.mark.parametrize("view, mirrored", [("side_left", "side_right"),
                                            ("side_right", "side_left"),
                                            ("front", "front"), ("back", "back"),
                                            (45.0, "unknown")])
def test_a_mirrored_image_swaps_the_side_seen(view, mirrored):
    original = _estimate(standing(view=view))
    flipped = _estimate(mirror(standing(view=view)))
    assert flipped.view == mirrored
    np.testing.assert_array_equal(flipped.forward_sign, -original.forward_sign)


def test_view_survives_landmark_noise():
    estimate = _estimate(standing(view="side_right", noise_px=3.0, seed=4))
    assert estimate.view == "side_right"
    assert estimate.view_share > 0.9


def test_frame_views_reads_nose_and_feet_for_the_facing():
    pose = standing(view="side_left", duration_s=0.2)
    labels, forward = frame_views(pose.xy_px, ViewConfig())
    assert set(labels) == {"side_left"}
    assert np.all(forward == -1)
    # Feet pointing one way and the nose the other: the feet win (they weigh 4x).
    xy = pose.xy_px.copy()
    xy[:, 0, 0] += 2 * (xy[:, 7, 0] - xy[:, 0, 0])  # nose behind the ears
    labels, forward = frame_views(xy, ViewConfig())
    assert set(labels) == {"side_left"}


def test_frames_without_a_person_do_not_count_toward_the_view():
    pose = without_person(standing(view="front"), frames=range(0, 30))
    estimate = _estimate(pose)
    assert estimate.view == "front"
    assert estimate.view_share == 1.0


def test_nobody_in_view_gives_unknown():
    estimate = _estimate(without_person(standing()))
    assert estimate.view == "unknown"
    assert estimate.view_share == 0.0
    assert estimate.segments == ()


def test_a_turn_from_side_to_front_gives_two_segments():
    pose = concat(standing(view="side_right", duration_s=2.0),
                   standing(view="front", duration_s=2.0))
    estimate = _estimate(pose)
    views = [s.view for s in estimate.segments]
    assert views == ["side_right", "front"]
    first, second = estimate.segments
    assert first.start_index == 0 and second.end_index == len(pose)
    # The switch lies within half the 1 s smoothing window of the true turn at 2.0 s.
    assert abs(second.start_t_s - 2.0) <= 0.5
    assert first.end_index == second.start_index
    assert set(estimate.per_frame) <= set(VIEWS)


def test_the_main_view_is_the_one_seen_longest():
    pose = concat(standing(view="front", duration_s=1.0),
                   standing(view="side_left", duration_s=3.0))
    estimate = _estimate(pose)
    assert estimate.view == "side_left"
    assert 0.6 < estimate.view_share < 0.9


# --------------------------------------------------------------------------- activity


@pytest.mark.parametrize("view", ["side_left", "side_right", "front", "back", 45.0])
def test_standing_still_is_standing(view):
    assert _estimate(standing(view=view, noise_px=1.5)).activity == "standing"


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_walking_across_the_view_is_walking(view):
    assert _estimate(walking(view=view)).activity == "walking"


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_walking_in_place_on_a_treadmill_is_walking(view):
    pose = walking(view=view, travel=False)
    hip_x = pose.xy_px[:, [23, 24], 0].mean(axis=1)
    assert np.ptp(hip_x) < 0.1 * leg_length(pose)  # the pelvis really stays put
    assert _estimate(pose).activity == "walking"


def test_swaying_in_place_is_standing():
    pose = standing(view="side_left", duration_s=4.0)
    sway = 0.08 * leg_length(pose) * np.sin(2 * np.pi * 0.5 * pose.t_s)
    pose.xy_px[..., 0] += sway[:, None]
    assert _estimate(pose).activity == "standing"


def test_a_slow_drift_below_the_walking_speed_is_standing():
    config = ViewConfig()
    pose = standing(view="side_left", duration_s=4.0)
    speed_px_s = 0.5 * config.walking_min_speed_leg_per_s * leg_length(pose)
    pose.xy_px[..., 0] += (speed_px_s * pose.t_s)[:, None]
    assert classify_activity(pose.xy_px, pose.t_s, leg_length(pose), config,
                             "side_left") == "standing"
    pose.xy_px[..., 0] += (3 * speed_px_s * pose.t_s)[:, None]
    assert classify_activity(pose.xy_px, pose.t_s, leg_length(pose), config,
                             "side_left") == "walking"


def test_walking_threshold_comes_from_config():
    pose = walking(view="side_right")
    strict = ViewConfig(walking_min_speed_leg_per_s=50.0)
    # Too slow for the travel rule, but the feet still pass each other: walking.
    assert _estimate(pose, strict).activity == "walking"


@pytest.mark.parametrize("view", ["front", "back"])
def test_walking_in_place_seen_from_the_front_is_walking(view):
    pose = build(figure(view=view, activity="walking", travel=False))
    assert _estimate(pose).activity == "walking"
