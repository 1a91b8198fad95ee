"""posture.geometry: plain 2D angles on image points (x right, y down)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture import geometry as geo


def _leg(flexion_deg: float, facing: float, thigh_px: float = 200.0, shank_px: float = 180.0):
    """Hip, knee, ankle in image pixels for a leg bent by ``flexion_deg`` toward where the
    subject faces (``facing`` +1 image-right, -1 image-left): thigh vertical, shank tilted."""
    hip = np.array([500.0, 100.0])
    knee = hip + (0.0, thigh_px)
    a = math.radians(flexion_deg)
    # The shank leaves the knee downward and backward when the knee is flexed (knee ahead).
    ankle = knee + (-facing * shank_px * math.sin(a), shank_px * math.cos(a))
    return hip, knee, ankle


@pytest.mark.parametrize("facing", [1.0, -1.0])
@pytest.mark.parametrize("flexion_deg", [-15.0, -10.0, -5.0, 0.0, 5.0, 20.0, 45.0, 90.0])
def test_signed_knee_flexion_recovers_the_angle_for_either_facing(facing, flexion_deg):
    hip, knee, ankle = _leg(flexion_deg, facing)
    measured = float(geo.signed_knee_flexion_deg(hip, knee, ankle, facing))
    assert measured == pytest.approx(flexion_deg, abs=1e-9)


def test_knee_flexion_sign_flips_when_the_facing_is_wrong():
    # The same picture read with the wrong facing turns flexion into hyperextension.
    hip, knee, ankle = _leg(12.0, 1.0)
    assert float(geo.signed_knee_flexion_deg(hip, knee, ankle, -1.0)) == pytest.approx(-12.0)


def test_knee_flexion_is_unchanged_in_a_mirrored_image_with_flipped_facing():
    hip, knee, ankle = _leg(-11.0, 1.0)
    flip = np.array([-1.0, 1.0])
    mirrored = float(geo.signed_knee_flexion_deg(hip * flip, knee * flip, ankle * flip, -1.0))
    assert mirrored == pytest.approx(-11.0)


def test_knee_flexion_is_vectorised_and_nan_safe():
    hips, knees, ankles, facings = [], [], [], []
    for flexion, facing in ((10.0, 1.0), (-7.0, -1.0), (30.0, -1.0)):
        h, k, a = _leg(flexion, facing)
        hips.append(h)
        knees.append(k)
        ankles.append(a)
        facings.append(facing)
    knees[1] = np.array([np.nan, np.nan])
    out = geo.signed_knee_flexion_deg(np.array(hips), np.array(knees), np.array(ankles),
                                      np.array(facings))
    assert out.shape == (3,)
    assert out[0] == pytest.approx(10.0)
    assert np.isnan(out[1])
    assert out[2] == pytest.approx(30.0)


@pytest.mark.parametrize("unknown", [np.nan, 0.0])
def test_signed_values_with_unknown_facing_are_nan(unknown):
    # view.py uses 0 for "facing unknown"; a signed angle then has no sign to give.
    hip, knee, ankle = _leg(-10.0, 1.0)
    assert np.isnan(geo.signed_knee_flexion_deg(hip, knee, ankle, unknown))
    assert np.isnan(geo.inclination_from_vertical_deg(ankle, hip, unknown))
    assert np.isnan(geo.signed_angle_between_deg(knee - hip, ankle - knee, unknown))
    facings = np.array([1.0, 0.0, -1.0])
    out = geo.signed_knee_flexion_deg(np.stack([hip] * 3), np.stack([knee] * 3),
                                      np.stack([ankle] * 3), facings)
    assert out[0] == pytest.approx(-10.0) and np.isnan(out[1]) and out[2] == pytest.approx(10.0)


def test_angle_at_is_unsigned_and_handles_degenerate_vectors():
    a, v, b = np.array([1.0, 0.0]), np.array([0.0, 0.0]), np.array([0.0, -1.0])
    assert float(geo.angle_at_deg(a, v, b)) == pytest.approx(90.0)
    assert float(geo.angle_at_deg(b, v, a)) == pytest.approx(90.0)
    assert float(geo.angle_at_deg(a, v, -a)) == pytest.approx(180.0)
    assert float(geo.angle_at_deg(a, v, 2 * a)) == pytest.approx(0.0)
    with np.errstate(all="raise"):  # a zero-length segment gives NaN, never a warning
        assert np.isnan(geo.angle_at_deg(v, v, b))


@pytest.mark.parametrize("facing", [1.0, -1.0])
@pytest.mark.parametrize("lean_deg", [-20.0, -5.0, 0.0, 6.0, 12.0, 30.0])
def test_inclination_from_vertical_is_positive_for_a_backward_lean(facing, lean_deg):
    lower = np.array([400.0, 500.0])
    a = math.radians(lean_deg)
    # Backward = against the facing direction; up = smaller image y.
    upper = lower + (-facing * 150 * math.sin(a), -150 * math.cos(a))
    assert float(geo.inclination_from_vertical_deg(lower, upper, facing)) == pytest.approx(
        lean_deg)


def test_to_body_frame_maps_forward_and_up():
    point = np.array([[10.0, 20.0]])
    assert geo.to_body_frame(point, 1.0).tolist() == [[10.0, -20.0]]
    assert geo.to_body_frame(point, -1.0).tolist() == [[-10.0, -20.0]]


@pytest.mark.parametrize("facing", [1.0, -1.0])
def test_signed_angle_between_is_positive_when_the_segment_points_backward(facing):
    down = np.array([0.0, 1.0])  # straight down in the image
    a = math.radians(15.0)
    backward = np.array([-facing * math.sin(a), math.cos(a)])
    forward = np.array([facing * math.sin(a), math.cos(a)])
    assert float(geo.signed_angle_between_deg(down, backward, facing)) == pytest.approx(15.0)
    assert float(geo.signed_angle_between_deg(down, forward, facing)) == pytest.approx(-15.0)


def test_signed_angle_between_wraps_to_plus_minus_180():
    reference = np.array([0.0, 1.0])
    a = math.radians(170.0)
    segment = np.array([-math.sin(a), math.cos(a)])  # 170 deg backward of straight down
    assert float(geo.signed_angle_between_deg(reference, segment, 1.0)) == pytest.approx(170.0)


@pytest.mark.parametrize("left_x, right_x", [(600.0, 400.0), (400.0, 600.0)])
def test_line_tilt_is_positive_when_the_left_point_is_higher_whatever_the_order(left_x, right_x):
    # 200 px apart horizontally, left 10 px higher: atan(0.05) = 2.86 deg in either view.
    left = np.array([left_x, 290.0])
    right = np.array([right_x, 300.0])
    assert float(geo.line_tilt_deg(left, right)) == pytest.approx(math.degrees(math.atan(0.05)))
    assert float(geo.line_tilt_deg(right, left)) == pytest.approx(-math.degrees(math.atan(0.05)))


def test_distance_px():
    assert float(geo.distance_px(np.array([0.0, 0.0]), np.array([3.0, 4.0]))) == 5.0
    assert np.isnan(geo.distance_px(np.array([np.nan, 0.0]), np.array([3.0, 4.0])))
