"""Camera roll and off-axis angle (posture.camera), and what the checks do with them."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from synthetic_landmarks import _copy, media_info, standing, walking

from posture.camera import (
    CameraGeometry,
    legs_off_axis_deg,
    line_angle_deg,
    roll_from_floor_points,
    roll_from_level_pairs,
    rotate_about,
    side_off_axis_deg,
    side_spread,
    side_view_off_axis_deg,
)
from posture.checks.base import off_axis_sd
from posture.config import CameraConfig, Config
from posture.landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_KNEE,
    RIGHT_ANKLE,
    RIGHT_KNEE,
)
from posture.pipeline import analyse_poses


def rolled(pose, roll_deg: float):
    """The same recording from a camera turned by ``roll_deg`` about its lens axis (level
    lines appear turned counter-clockwise by that much)."""
    centre = (pose.width_px / 2, pose.height_px / 2)
    return _copy(pose, xy_px=rotate_about(pose.xy_px, roll_deg, centre))


def _analyse(pose):
    return analyse_poses(pose, media_info(pose))


def _findings(analysis):
    return {f.id: f for f in analysis.report.findings}


# ------------------------------------------------------------------------ pure functions


def test_line_angle_is_counter_clockwise_positive_in_either_order():
    a, b = np.array([0.0, 100.0]), np.array([100.0, 90.0])  # rises to the right
    assert line_angle_deg(a, b) == pytest.approx(5.71, abs=0.01)
    assert line_angle_deg(b, a) == pytest.approx(5.71, abs=0.01)


def test_floor_line_ignores_the_swing_foot_lifting():
    rng = np.random.default_rng(1)
    x = np.linspace(0, 1200, 200)
    y = 600 - np.tan(np.radians(-4.0)) * x  # floor falls to the right: roll -4
    lifted = rng.random(200) < 0.35  # a third of the lowest points are a foot in the air
    y = y - lifted * rng.uniform(20, 60, 200) + rng.normal(0, 1.5, 200)
    assert roll_from_floor_points(np.column_stack([x, y]), leg_px=300) == pytest.approx(
        -4.0, abs=0.3)


def test_floor_line_needs_the_feet_to_cover_some_floor():
    points = np.column_stack([np.linspace(500, 600, 50), np.full(50, 600.0)])
    assert roll_from_floor_points(points, leg_px=300) is None


def test_rotation_round_trip():
    pose = standing(view="front")
    back = rotate_about(rotate_about(pose.xy_px, 4.0, (640, 360)), -4.0, (640, 360))
    assert np.allclose(back, pose.xy_px)


@pytest.mark.parametrize("roll_deg", [-5.0, -2.0, 3.0, 5.0])
def test_level_pairs_find_the_roll_of_a_person_facing_the_camera(roll_deg):
    pose = rolled(standing(view="front", pelvic_obliquity_deg=4.0, load_share_right_pct=65.0),
                  roll_deg)
    frames = np.ones(len(pose.xy_px), dtype=bool)
    assert roll_from_level_pairs(pose.xy_px, frames) == pytest.approx(roll_deg, abs=0.6)


@pytest.mark.parametrize("turn_deg", [0.0, 10.0, 20.0, 30.0])
def test_side_off_axis_grows_with_the_turn(turn_deg):
    # Azimuth 270 is the left side square-on; the figure's widths are MediaPipe-like.
    pose = standing(view=270.0 - turn_deg)
    measured = float(np.nanmedian(side_off_axis_deg(pose.xy_px, 0.53)))
    assert measured == pytest.approx(turn_deg, abs=6.0)


@pytest.mark.parametrize("side_azimuth", [270.0, 90.0])
def test_side_spread_is_signed_toward_the_chest_whichever_way_the_person_faces(side_azimuth):
    # Azimuth 0 is the front view: turning a side view toward it shows the chest.
    toward_chest = 1.0 if side_azimuth == 270.0 else -1.0
    chest = standing(view=side_azimuth + toward_chest * 20.0)
    back = standing(view=side_azimuth - toward_chest * 20.0)
    assert side_spread(chest.xy_px, signed=True)[0] > 0.1
    assert side_spread(back.xy_px, signed=True)[0] < -0.1
    assert side_spread(back.xy_px)[0] == pytest.approx(-side_spread(back.xy_px, signed=True)[0])


def test_a_view_from_behind_reads_the_spread_with_the_narrower_width():
    # Same spread either way round; from behind MediaPipe draws it narrower, so the same
    # spread means a larger turn.
    chest = standing(view=270.0 + 15.0)
    back = standing(view=270.0 - 15.0)
    config = CameraConfig()
    chest_deg = side_off_axis_deg(chest.xy_px, config.side_width_to_torso,
                                  config.side_back_width_to_torso)[0]
    back_deg = side_off_axis_deg(back.xy_px, config.side_width_to_torso,
                                 config.side_back_width_to_torso)[0]
    spread = abs(side_spread(back.xy_px, signed=True)[0])
    assert chest_deg == pytest.approx(np.degrees(np.arcsin(spread / 0.53)), abs=0.5)
    assert back_deg == pytest.approx(np.degrees(np.arcsin(spread / 0.40)), abs=0.5)
    # Without the back width the old unsigned reading is kept (walks, oblique frames).
    assert side_off_axis_deg(back.xy_px, 0.53)[0] == pytest.approx(chest_deg, abs=0.01)


def test_the_legs_spread_grows_with_the_turn_and_is_unknown_while_the_far_leg_hides():
    readings = [legs_off_axis_deg(standing(view=270.0 + turn).xy_px, 0.46)[0]
                for turn in (0.0, 10.0, 20.0, 30.0)]
    assert readings[0] == pytest.approx(0.0, abs=1.0)
    assert np.all(np.diff(readings) > 3.0)
    hidden = standing(view=270.0 + 20.0).xy_px.copy()
    hidden[:, [LEFT_KNEE, LEFT_ANKLE, RIGHT_KNEE, RIGHT_ANKLE]] = np.nan
    assert np.isnan(legs_off_axis_deg(hidden, 0.46)[0])
    one_pair = standing(view=270.0 + 20.0).xy_px.copy()
    one_pair[:, [LEFT_KNEE, RIGHT_KNEE]] = np.nan  # knees hidden, ankles seen
    assert legs_off_axis_deg(one_pair, 0.46)[0] > 10.0


def test_standing_frames_combine_trunk_and_legs_walking_frames_use_the_trunk_only():
    pose = standing(view=270.0 + 20.0)
    xy = np.repeat(pose.xy_px[:1], 2, axis=0)
    side = np.array([True, True])
    config = CameraConfig()
    trunk = side_off_axis_deg(xy, config.side_width_to_torso, config.side_back_width_to_torso)
    legs = legs_off_axis_deg(xy, config.side_leg_spread_to_torso)
    standing_deg = side_view_off_axis_deg(xy, side, np.array([True, False]), config)
    assert standing_deg[0] == pytest.approx((trunk[0] + legs[0]) / 2)
    assert standing_deg[1] == pytest.approx(trunk[1])  # a frame that is not still
    walking_deg = side_view_off_axis_deg(xy, side, None, config)
    assert walking_deg == pytest.approx(side_off_axis_deg(xy, config.side_width_to_torso))
    assert np.isnan(side_view_off_axis_deg(xy, np.array([False, True]), None, config)[0])


def test_the_off_axis_estimate_error_enters_the_angle_error():
    def inputs(off_deg: float, error_deg: float):
        camera = CameraGeometry(None, "", off_deg, "", np.full(3, off_deg), False, 5.0,
                                off_axis_error_deg=error_deg)
        return SimpleNamespace(camera=camera, config=Config())

    frames = np.ones(3, dtype=bool)
    per_deg = Config().uncertainty.off_axis_sd_per_deg
    # Square-on as measured, but the measurement may be 4 deg off: some error remains.
    assert off_axis_sd(inputs(0.0, 4.0), frames) == pytest.approx(per_deg * 4.0)
    assert off_axis_sd(inputs(20.0, 0.0), frames) == pytest.approx(per_deg * 20.0)
    assert off_axis_sd(inputs(20.0, 4.0), frames) > off_axis_sd(inputs(20.0, 0.0), frames)


# ------------------------------------------------------------------------ end to end


@pytest.mark.parametrize("roll_deg", [-5.0, 4.0])
def test_a_tilted_camera_on_a_walk_is_measured_and_undone(roll_deg):
    level = _analyse(walking(view="side_left", duration_s=5.0))
    tilted = _analyse(rolled(walking(view="side_left", duration_s=5.0), roll_deg))
    camera = tilted.report.summary["camera"]
    assert camera["roll_deg"] == pytest.approx(roll_deg, abs=0.7)
    assert camera["corrected"] is True
    assert "floor" in camera["roll_source"]
    trunk_level = np.nanmedian(level.series["trunk_inclination_deg"])
    trunk_tilted = np.nanmedian(tilted.series["trunk_inclination_deg"])
    assert trunk_tilted == pytest.approx(trunk_level, abs=0.7)


@pytest.mark.parametrize("roll_deg", [-3.0, 3.0, 5.0])
def test_an_even_stance_seen_by_a_tilted_camera_is_not_a_weight_shift(roll_deg):
    # The issue: 3 deg of roll turned an even stance into a 64 % weight shift.
    findings = _findings(_analyse(rolled(standing(view="front"), roll_deg)))
    assert findings["weight_shift"].status == "not_detected"


def test_a_clear_weight_shift_survives_a_tilted_camera():
    pose = rolled(standing(view="front", load_share_right_pct=85.0, pelvic_obliquity_deg=-4.0),
                  -4.0)
    shift = _findings(_analyse(pose))["weight_shift"]
    assert (shift.status, shift.side) == ("detected", "right")


def test_side_standing_roll_is_unknown_and_widens_the_hollow_back_error():
    analysis = _analyse(rolled(standing(view="side_left"), 5.0))
    camera = analysis.report.summary["camera"]
    assert camera["roll_deg"] is None and camera["corrected"] is False
    assert camera["roll_source"].startswith("not measured")
    # An upright trunk drawn 5 deg back by the camera is never a plain finding.
    assert _findings(analysis)["hollow_back"].status in ("not_detected", "uncertain")


def test_an_oblique_side_view_is_refused_with_the_reason():
    findings = _findings(_analyse(standing(view=270.0 - 30.0, knee_flexion_left_deg=-10.0,
                                           knee_flexion_right_deg=-10.0)))
    for check in ("hollow_back", "knee_hyperextension", "bent_knee"):
        assert findings[check].status == "not_assessable"
        assert "off the side axis" in findings[check].message


def test_a_slightly_oblique_side_view_is_still_judged():
    findings = _findings(_analyse(standing(view=270.0 - 10.0, knee_flexion_left_deg=-12.0,
                                           knee_flexion_right_deg=-12.0)))
    assert findings["knee_hyperextension"].status == "detected"


def test_a_staggered_stance_from_the_front_is_refused():
    pose = standing(view="front")
    xy = pose.xy_px.copy()
    # The left foot set well back: a camera above the floor draws it higher, all the time.
    xy[:, [LEFT_ANKLE, LEFT_HEEL, LEFT_FOOT_INDEX], 1] -= 0.12 * pose.height_px * 0.6
    shift = _findings(_analyse(_copy(pose, xy_px=xy)))["weight_shift"]
    assert shift.status == "not_assessable"
    assert "in front of the other" in shift.message


def test_the_report_states_the_camera_as_measurements():
    camera = _analyse(standing(view="front")).report.summary["camera"]
    assert set(camera) == {"roll_deg", "roll_source", "off_axis_deg", "off_axis_source",
                           "corrected", "notes"}
    assert camera["roll_deg"] == pytest.approx(0.0, abs=0.5)
    assert camera["off_axis_deg"] is not None and camera["off_axis_deg"] < 5
