"""posture.measurements on stick figures with known geometry (run through stages 3-5 of
``analyse_poses``, without MediaPipe)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from synthetic_landmarks import (
    FOREARM,
    HIP_HALF_WIDTH,
    SHOULDER_HALF_WIDTH,
    STRAIGHT_LEG,
    TRUNK,
    UPPER_ARM,
    build,
    concat,
    figure,
    heel_strike_times,
    leg_length,
    media_info,
    mirror,
    photo,
    standing,
    swap_legs,
    true_knee_flexion_deg,
    walking,
    with_visibility,
)

from posture.config import FilterConfig, QualityConfig
from posture.geometry import signed_knee_flexion_deg
from posture.landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
)
from posture.measurements import (
    MEASUREMENTS,
    clean_landmarks,
    fix_leg_swaps,
    lowpass_zero_lag,
    mask_low_visibility,
    unit_of,
)
from posture.pipeline import analyse_poses

SIDE_ONLY = [n for n, (_u, views, _t) in MEASUREMENTS.items() if views == ("side",)]
FRONT_ONLY = [n for n, (_u, views, _t) in MEASUREMENTS.items() if views == ("front",)]


def _series(pose):
    return analyse_poses(pose, media_info(pose)).series


def _median(pose, name: str) -> float:
    values = _series(pose)[name]
    assert np.isfinite(values).any(), f"{name} has no value"
    return float(np.nanmedian(values))


# --------------------------------------------------------------------------- side view


@pytest.mark.parametrize("view", ["side_left", "side_right"])
@pytest.mark.parametrize("left_deg, right_deg", [(-15.0, 0.0), (-10.0, 5.0), (0.0, -6.0),
                                                 (20.0, 3.0), (35.0, 25.0)])
def test_knee_flexion_per_side_with_sign(view, left_deg, right_deg):
    s = _series(standing(view=view, knee_flexion_left_deg=left_deg,
                         knee_flexion_right_deg=right_deg))
    assert np.nanmedian(s["knee_flexion_left_deg"]) == pytest.approx(left_deg, abs=0.2)
    assert np.nanmedian(s["knee_flexion_right_deg"]) == pytest.approx(right_deg, abs=0.2)
    assert np.nanmedian(s["knee_flexion_asymmetry_deg"]) == pytest.approx(
        left_deg - right_deg, abs=0.3)


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_mirrored_image_swaps_sides_and_keeps_the_angles(view):
    pose = standing(view=view, knee_flexion_left_deg=-12.0, knee_flexion_right_deg=8.0,
                    trunk_inclination_deg=7.0, hip_forward_offset_pct=5.0)
    original = analyse_poses(pose, media_info(pose))
    flipped = analyse_poses(mirror(pose), media_info(pose))
    assert flipped.view.view == {"side_left": "side_right", "side_right": "side_left"}[view]
    assert np.all(flipped.view.forward_sign == -original.view.forward_sign)
    a, b = original.series, flipped.series
    pairs = [("knee_flexion_left_deg", "knee_flexion_right_deg"),
             ("knee_flexion_right_deg", "knee_flexion_left_deg"),
             ("hip_extension_left_deg", "hip_extension_right_deg"),
             ("trunk_inclination_deg", "trunk_inclination_deg"),
             ("hip_forward_offset_pct", "hip_forward_offset_pct"),
             ("shoulder_forward_offset_pct", "shoulder_forward_offset_pct")]
    for name_a, name_b in pairs:
        np.testing.assert_allclose(b[name_b], a[name_a], atol=1e-6, err_msg=name_a)
    np.testing.assert_allclose(b["knee_flexion_asymmetry_deg"], -a["knee_flexion_asymmetry_deg"],
                               atol=1e-6)


@pytest.mark.parametrize("view", ["side_left", "side_right"])
@pytest.mark.parametrize("lean_deg", [-15.0, -4.0, 0.0, 6.0, 12.0, 20.0])
def test_trunk_inclination_backward_positive(view, lean_deg):
    assert _median(standing(view=view, trunk_inclination_deg=lean_deg),
                   "trunk_inclination_deg") == pytest.approx(lean_deg, abs=0.1)


@pytest.mark.parametrize("view", ["side_left", "side_right"])
@pytest.mark.parametrize("offset_pct", [-6.0, 0.0, 4.0, 10.0])
def test_hip_and_shoulder_forward_offsets(view, offset_pct):
    lean_deg = 8.0
    s = _series(standing(view=view, hip_forward_offset_pct=offset_pct,
                         trunk_inclination_deg=lean_deg))
    assert np.nanmedian(s["hip_forward_offset_pct"]) == pytest.approx(offset_pct, abs=0.2)
    shoulder = offset_pct - 100 * TRUNK * math.sin(math.radians(lean_deg)) / STRAIGHT_LEG
    assert np.nanmedian(s["shoulder_forward_offset_pct"]) == pytest.approx(shoulder, abs=0.2)


@pytest.mark.parametrize("view", ["side_left", "side_right"])
@pytest.mark.parametrize("lean_deg", [-20.0, 0.0, 10.0])
def test_hip_extension_is_the_thigh_behind_the_trunk_line(view, lean_deg):
    # Straight legs with the hips above the ankles: the thighs are vertical, so hip
    # extension equals the backward lean of the trunk.
    s = _series(standing(view=view, trunk_inclination_deg=lean_deg, knee_flexion_left_deg=0.0,
                         knee_flexion_right_deg=0.0))
    for side in ("left", "right"):
        assert np.nanmedian(s[f"hip_extension_{side}_deg"]) == pytest.approx(lean_deg, abs=0.2)


def test_hip_extension_sign_follows_the_thigh():
    # A bent knee with the hips above the ankles puts the knee forward: the thigh points
    # forward of the trunk line (hip flexion, negative extension).
    s = _series(standing(view="side_right", knee_flexion_left_deg=30.0,
                         knee_flexion_right_deg=30.0))
    assert np.nanmedian(s["hip_extension_left_deg"]) < -5.0


@pytest.mark.parametrize("name", FRONT_ONLY)
@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_front_view_measurements_are_nan_in_side_views(name, view):
    assert np.isnan(_series(standing(view=view))[name]).all()


# --------------------------------------------------------------------------- front view


@pytest.mark.parametrize("view", ["front", "back"])
@pytest.mark.parametrize("obliquity_deg", [-6.0, 0.0, 4.0])
def test_pelvic_obliquity_left_hip_higher_positive(view, obliquity_deg):
    s = _series(standing(view=view, pelvic_obliquity_deg=obliquity_deg))
    assert np.nanmedian(s["pelvic_obliquity_deg"]) == pytest.approx(obliquity_deg, abs=0.1)
    assert np.nanmedian(s["shoulder_obliquity_deg"]) == pytest.approx(0.0, abs=0.1)


@pytest.mark.parametrize("view", ["front", "back"])
@pytest.mark.parametrize("share_pct", [20.0, 41.0, 50.0, 63.0, 80.0])
def test_load_share_is_where_the_hips_sit_between_the_ankles(view, share_pct):
    s = _series(standing(view=view, load_share_right_pct=share_pct))
    assert np.nanmedian(s["load_share_right_pct"]) == pytest.approx(share_pct, abs=0.2)
    # The shoulders move with the hips: toward the subject's left is positive.
    half_width = 0.09  # the figure's default stance_half_width
    shift = 100 * half_width * (1 - share_pct / 50) / STRAIGHT_LEG
    assert np.nanmedian(s["lateral_trunk_shift_pct"]) == pytest.approx(shift, abs=0.2)
    assert np.nanmedian(s["trunk_lateral_lean_deg"]) == pytest.approx(0.0, abs=0.1)


@pytest.mark.parametrize("view", ["front", "back"])
def test_mirrored_front_view_swaps_left_and_right(view):
    pose = standing(view=view, load_share_right_pct=70.0, pelvic_obliquity_deg=4.0)
    a, b = _series(pose), _series(mirror(pose))
    np.testing.assert_allclose(b["load_share_right_pct"], 100 - a["load_share_right_pct"],
                               atol=1e-6)
    np.testing.assert_allclose(b["pelvic_obliquity_deg"], -a["pelvic_obliquity_deg"], atol=1e-6)
    np.testing.assert_allclose(b["lateral_trunk_shift_pct"], -a["lateral_trunk_shift_pct"],
                               atol=1e-6)


def test_trunk_lateral_lean_toward_the_left_is_positive():
    for view in ("front", "back"):
        pose = standing(view=view)
        # Tilt the upper body 10 deg toward the subject's left about the hip centre.
        toward_left_px = 1.0 if view == "front" else -1.0
        hip = pose.xy_px[:, [LEFT_HIP, 24]].mean(axis=1, keepdims=True)
        upper = list(range(0, 23))
        rel = pose.xy_px[:, upper] - hip
        a = math.radians(10.0) * toward_left_px
        # Points above the hips (negative image y) move toward +x for a positive angle.
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        pose.xy_px[:, upper] = hip + rel @ rot.T
        assert _median(pose, "trunk_lateral_lean_deg") == pytest.approx(10.0, abs=0.1), view


def test_foot_lift_left_pct():
    pose = standing(view="front")
    lift_px = 0.12 * leg_length(pose)
    pose.xy_px[:, [LEFT_ANKLE, LEFT_HEEL, LEFT_FOOT_INDEX], 1] -= lift_px
    expected = 100 * lift_px / leg_length(pose)  # the lifted foot shortens the left shank
    assert _median(pose, "foot_lift_left_pct") == pytest.approx(expected, abs=0.1)
    assert _median(mirror(pose), "foot_lift_left_pct") == pytest.approx(-expected, abs=0.1)


def test_feet_together_give_no_load_share():
    s = _series(standing(view="front", stance_half_width=0.01))
    assert np.isnan(s["load_share_right_pct"]).all()


@pytest.mark.parametrize("name", SIDE_ONLY)
@pytest.mark.parametrize("view", ["front", "back", 45.0])
def test_side_view_measurements_are_nan_in_other_views(name, view):
    assert np.isnan(_series(standing(view=view))[name]).all()


# --------------------------------------------------------------------------- walking


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_walking_knee_flexion_follows_the_true_curve(view):
    fig = figure(view=view, activity="walking", knee_flexion_left_deg=-8.0,
                 knee_flexion_right_deg=4.0)
    pose = build(fig)
    s = _series(pose)
    for side in ("left", "right"):
        error = s[f"knee_flexion_{side}_deg"] - true_knee_flexion_deg(fig, side, pose.t_s)
        assert np.nanmax(np.abs(error)) < 1.5, side


def test_walking_arm_swing_and_rotation_ranges():
    arm_deg, pelvis_deg, shoulder_deg = 25.0, 5.0, 7.0
    s = _series(walking(view="side_right", arm_swing_deg=arm_deg, pelvis_rotation_deg=pelvis_deg,
                        shoulder_rotation_deg=shoulder_deg))
    inner = slice(10, -10)

    def span(name):
        return float(np.ptp(s[name][inner]))

    arm = 2 * (UPPER_ARM + FOREARM) * math.sin(math.radians(arm_deg)) / STRAIGHT_LEG * 100
    pelvis = 4 * HIP_HALF_WIDTH * math.sin(math.radians(pelvis_deg)) / STRAIGHT_LEG * 100
    shoulders = 4 * SHOULDER_HALF_WIDTH * math.sin(math.radians(shoulder_deg)) / STRAIGHT_LEG * 100
    assert span("arm_swing_left_pct") == pytest.approx(arm, rel=0.03)
    assert span("arm_swing_right_pct") == pytest.approx(arm, rel=0.03)
    assert span("pelvis_rotation_proxy_pct") == pytest.approx(pelvis, rel=0.05)
    assert span("shoulder_rotation_proxy_pct") == pytest.approx(shoulders, rel=0.05)
    # Arms swing opposite to each other.
    corr = np.corrcoef(s["arm_swing_left_pct"][inner], s["arm_swing_right_pct"][inner])[0, 1]
    assert corr < -0.9


def test_stiff_walking_has_no_arm_swing_or_rotation():
    s = _series(walking(view="side_left", arm_swing_deg=0.0, pelvis_rotation_deg=0.0,
                        shoulder_rotation_deg=0.0))
    for name in ("arm_swing_left_pct", "pelvis_rotation_proxy_pct",
                 "shoulder_rotation_proxy_pct"):
        assert np.nanmax(np.abs(s[name])) < 0.2, name


# --------------------------------------------------------------------------- data quality


@pytest.mark.parametrize("noise_px", [1.0, 2.0, 3.0])
def test_noise_stays_within_tolerance(noise_px):
    side = _series(standing(view="side_right", knee_flexion_left_deg=-10.0,
                            trunk_inclination_deg=8.0, noise_px=noise_px, seed=2))
    assert np.nanmedian(side["knee_flexion_left_deg"]) == pytest.approx(-10.0, abs=1.0)
    assert np.nanmedian(side["knee_flexion_right_deg"]) == pytest.approx(3.0, abs=1.0)
    assert np.nanmedian(side["trunk_inclination_deg"]) == pytest.approx(8.0, abs=0.5)
    front = _series(standing(view="front", load_share_right_pct=70.0, pelvic_obliquity_deg=4.0,
                             noise_px=noise_px, seed=2))
    assert np.nanmedian(front["load_share_right_pct"]) == pytest.approx(70.0, abs=1.5)
    # The hip points are only ~60 px apart: a 3 px jitter tilts their line by ~4 deg per
    # frame, so the median over 2 s still wanders by about a degree.
    assert np.nanmedian(front["pelvic_obliquity_deg"]) == pytest.approx(4.0, abs=1.5)


def test_filtering_removes_most_of_the_jitter():
    pose = standing(view="side_left", noise_px=3.0, seed=5)
    filtered = _series(pose)["knee_flexion_left_deg"]
    raw = signed_knee_flexion_deg(pose.xy_px[:, LEFT_HIP], pose.xy_px[:, LEFT_KNEE],
                                  pose.xy_px[:, LEFT_ANKLE], -1.0)
    # A 6 Hz cut-off at 30 fps keeps 40 % of white noise's band: std drops to ~63 %.
    assert np.std(filtered) < 0.75 * np.std(raw)


def test_low_visibility_landmark_gives_nan_not_a_crash():
    pose = with_visibility(standing(view="side_left"), [LEFT_KNEE], 0.2)
    s = _series(pose)
    assert np.isnan(s["knee_flexion_left_deg"]).all()
    assert np.isnan(s["knee_flexion_asymmetry_deg"]).all()
    assert np.isfinite(s["knee_flexion_right_deg"]).all()
    assert np.isfinite(s["trunk_inclination_deg"]).all()


def test_visibility_threshold_is_read_from_config():
    from posture.config import Config

    pose = with_visibility(standing(view="side_left"), [LEFT_KNEE], 0.4)
    lenient = Config(quality=QualityConfig(min_visibility=0.3))
    s = analyse_poses(pose, media_info(pose), config=lenient).series
    assert np.isfinite(s["knee_flexion_left_deg"]).all()
    assert np.isnan(_series(pose)["knee_flexion_left_deg"]).all()


def test_short_gaps_are_filled_and_long_ones_stay_missing():
    max_gap = FilterConfig().max_gap_frames
    pose = standing(view="side_right", knee_flexion_right_deg=-9.0)
    short = with_visibility(pose, [RIGHT_KNEE], 0.0, frames=range(30, 30 + max_gap))
    long_ = with_visibility(pose, [RIGHT_KNEE], 0.0, frames=range(30, 30 + max_gap + 5))
    filled = _series(short)["knee_flexion_right_deg"]
    assert np.isfinite(filled).all()
    np.testing.assert_allclose(filled[30:35], -9.0, atol=0.2)
    gap = _series(long_)["knee_flexion_right_deg"]
    assert np.isnan(gap[30 : 30 + max_gap + 5]).all()
    assert np.isfinite(gap[:30]).all() and np.isfinite(gap[30 + max_gap + 5 :]).all()


def test_a_frame_with_missing_coordinates_counts_as_no_person():
    # MediaPipe gives all 33 points or none; a partial frame is treated as "none".
    pose = standing(view="side_left")
    pose.xy_px[10:50, RIGHT_ANKLE] = np.nan
    analysis = analyse_poses(pose, media_info(pose))
    assert analysis.report.summary["frames_of_subject"] == len(pose) - 40
    s = analysis.series
    assert np.isnan(s["knee_flexion_left_deg"][20:40]).all()
    assert np.isfinite(s["knee_flexion_left_deg"][50:]).all()


@pytest.mark.parametrize("view, far", [("side_left", "right"), ("side_right", "left")])
def test_the_near_point_stands_in_for_a_hidden_far_one_in_side_views(view, far):
    # Seen from the side the far hip and shoulder sit behind the body; MediaPipe often
    # gives them low visibility. The near ones are enough for the trunk line.
    far_points = [RIGHT_HIP, RIGHT_SHOULDER] if far == "right" else [LEFT_HIP, LEFT_SHOULDER]
    pose = with_visibility(standing(view=view, trunk_inclination_deg=9.0,
                                    hip_forward_offset_pct=4.0), far_points, 0.1)
    s = _series(pose)
    assert np.nanmedian(s["trunk_inclination_deg"]) == pytest.approx(9.0, abs=0.2)
    assert np.nanmedian(s["hip_forward_offset_pct"]) == pytest.approx(4.0, abs=0.3)


def test_mask_low_visibility_only_touches_low_points():
    pose = with_visibility(standing(duration_s=0.1), [LEFT_KNEE], 0.1)
    masked = mask_low_visibility(pose.xy_px, pose.visibility, QualityConfig())
    assert np.isnan(masked[:, LEFT_KNEE]).all()
    np.testing.assert_array_equal(masked[:, RIGHT_KNEE], pose.xy_px[:, RIGHT_KNEE])


def test_a_brief_unreadable_turn_never_flips_the_knee_sign():
    # Walk past side-on (right side seen), turn back (left side seen) with a short stretch
    # seen obliquely in between; the knees are pressed back 12 deg throughout.
    knees = {"knee_flexion_left_deg": -12.0, "knee_flexion_right_deg": -12.0}
    pose = concat(standing(view="side_right", duration_s=3.0, **knees),
                  standing(view="side_left", duration_s=0.6, **knees),
                  standing(view=300.0, duration_s=0.2, **knees),
                  standing(view="side_left", duration_s=0.6, **knees))
    analysis = analyse_poses(pose, media_info(pose))
    labels = analysis.view.per_frame
    side = np.array([str(v).startswith("side") for v in labels])
    assert np.all(analysis.view.forward_sign[side] != 0)
    knee = analysis.series["knee_flexion_left_deg"]
    assert not np.any(knee[side] > 0)  # unsigned +10.9 before geometry treated 0 as unknown
    offset = analysis.series["hip_forward_offset_pct"]
    assert np.all(np.isnan(offset[side & (analysis.view.forward_sign == 0)]))


# --------------------------------------------------------------------------- leg swaps


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_swapped_legs_are_put_back_in_walking(view):
    fig = figure(view=view, activity="walking", knee_flexion_left_deg=-6.0)
    pose = build(fig)
    # Around a heel strike the legs are far apart, so a swap is unmistakable.
    heel_strike_frame = int(round(heel_strike_times(fig, "left")[1] * fig.fps))
    swapped = list(range(heel_strike_frame - 1, heel_strike_frame + 2))
    clean = analyse_poses(pose, media_info(pose))
    fixed = analyse_poses(swap_legs(pose, swapped), media_info(pose))
    assert fixed.report.summary["leg_swaps_corrected"] == len(swapped)
    for side in ("left", "right"):
        name = f"knee_flexion_{side}_deg"
        np.testing.assert_allclose(fixed.series[name], clean.series[name], atol=1e-6)


def test_swapped_legs_are_put_back_when_standing():
    pose = standing(view="side_right", knee_flexion_left_deg=-12.0, knee_flexion_right_deg=15.0)
    analysis = analyse_poses(swap_legs(pose, range(40, 44)), media_info(pose))
    assert analysis.report.summary["leg_swaps_corrected"] == 4
    np.testing.assert_allclose(analysis.series["knee_flexion_left_deg"], -12.0, atol=0.1)
    np.testing.assert_allclose(analysis.series["knee_flexion_right_deg"], 15.0, atol=0.1)


def test_leg_swaps_are_not_undone_in_front_views():
    # Seen from the front, left and right legs cannot be confused the same way.
    pose = standing(view="front")
    xy, swaps = clean_landmarks(pose.xy_px, pose.visibility, pose.t_s, QualityConfig(),
                                FilterConfig(), side_view=False)
    assert swaps == 0


def test_fix_leg_swaps_leaves_a_clean_sequence_alone():
    pose = walking(view="side_left")
    fixed, swaps = fix_leg_swaps(pose.xy_px)
    assert swaps == 0
    np.testing.assert_array_equal(fixed, pose.xy_px)


# --------------------------------------------------------------------------- other paths


def test_a_photo_is_measured_without_filtering():
    s = _series(photo(view="side_left", knee_flexion_left_deg=-11.0, trunk_inclination_deg=9.0))
    assert len(s["t_s"]) == 1
    assert s["knee_flexion_left_deg"][0] == pytest.approx(-11.0, abs=0.05)
    assert s["trunk_inclination_deg"][0] == pytest.approx(9.0, abs=0.05)


def test_live_frames_are_not_zero_lag_filtered():
    # Live frames cannot wait for future ones: posture.live smooths them causally, so
    # stage 5 measures the landmarks as given.
    pose = standing(view="side_left", kind="live", noise_px=2.0, seed=3)
    raw = signed_knee_flexion_deg(pose.xy_px[:, LEFT_HIP], pose.xy_px[:, LEFT_KNEE],
                                  pose.xy_px[:, LEFT_ANKLE], -1.0)
    np.testing.assert_allclose(_series(pose)["knee_flexion_left_deg"], raw, atol=1e-9)


def test_lowpass_keeps_slow_motion_and_skips_short_runs():
    t = np.arange(120) / 30.0
    slow = np.sin(2 * np.pi * 1.0 * t)
    np.testing.assert_allclose(lowpass_zero_lag(slow, t, FilterConfig())[10:-10], slow[10:-10],
                               atol=0.02)
    short = np.array([1.0, 5.0, 1.0, np.nan, 2.0, 8.0])
    np.testing.assert_array_equal(lowpass_zero_lag(short, t[:6], FilterConfig()), short)
    # At 10 fps a 6 Hz cut-off is above Nyquist: values are left as they are.
    t10 = np.arange(50) / 10.0
    jitter = np.random.default_rng(0).normal(size=50)
    np.testing.assert_array_equal(lowpass_zero_lag(jitter, t10, FilterConfig()), jitter)


def test_every_measurement_has_a_unit_in_its_name():
    for name in MEASUREMENTS:
        assert unit_of(name) in ("deg", "%", "px"), name
    assert unit_of("knee_flexion_left_deg") == "deg"
    assert unit_of("load_share_right_pct") == "%"
