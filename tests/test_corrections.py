"""Landmarks corrected by the clinician: the engine measures again, the report keeps both."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from posture.corrections import (
    CORRECTED_LABEL,
    LandmarkCorrection,
    apply_corrections,
    merge_corrections,
    plumb_line_x_px,
    reanalyse,
    three_point_angle_deg,
)
from posture.errors import InputError
from posture.landmarks import LEFT_ANKLE, LEFT_HIP, LEFT_KNEE, RIGHT_KNEE
from posture.pose import PoseSequence
from posture.report import validate

ROOT = Path(__file__).resolve().parents[1]
PHOTO = ROOT / "samples" / "stand_side_neutral.jpg"


@pytest.fixture(scope="module")
def photo():  # noqa: ANN201
    if not PHOTO.is_file():
        pytest.skip(f"sample photo not found: {PHOTO}")
    import posture

    analysis = posture.analyse(PHOTO)
    assert analysis.report.summary["view"] == "side_left"  # the near leg is the left one
    return analysis


def _series(analysis) -> dict[str, list[float]]:  # noqa: ANN001
    return {n: np.asarray(v, float).tolist() for n, v in analysis.measurements.values.items()}


def _move_knee(analysis, dx_px: float):  # noqa: ANN001, ANN202
    """Move the drawn left knee ``dx_px`` across the picture and analyse again."""
    x, y = analysis.measurements.xy_px[0, LEFT_KNEE]
    frame = int(analysis.pose.frame_index[0])
    fix = LandmarkCorrection(frame, LEFT_KNEE, x + dx_px, y, x, y)
    return reanalyse(analysis.pose, analysis.info, [fix], original=analysis.report.to_dict(),
                     original_series=_series(analysis))


def test_messages_from_before_the_pose_stage_are_kept(photo) -> None:  # noqa: ANN001
    original = photo.report.to_dict()
    original["summary"]["messages"] = [*original["summary"]["messages"],
                                       "Only the first 60 s were analysed."]
    x, y = photo.measurements.xy_px[0, LEFT_KNEE]
    fix = LandmarkCorrection(int(photo.pose.frame_index[0]), LEFT_KNEE, x + 5, y, x, y)
    for fixes in ([], [fix]):
        report = reanalyse(photo.pose, photo.info, fixes, original=original).report.to_dict()
        assert report["summary"]["messages"] == original["summary"]["messages"]


def _finding(report: dict, finding_id: str) -> dict:
    return next(f for f in report["findings"] if f["id"] == finding_id)


def test_no_correction_gives_the_same_report(photo) -> None:  # noqa: ANN001
    original = photo.report.to_dict()
    again = reanalyse(photo.pose, photo.info, [], original=original).report.to_dict()
    assert again == original
    assert "corrections" not in again


def test_knee_moved_backward_reads_hyperextension(photo) -> None:  # noqa: ANN001
    original = photo.report.to_dict()
    # side_left: the subject faces image-left, so +x is behind the subject
    report = _move_knee(photo, +40).report.to_dict()
    validate(report)
    before = original["measurements"]["knee_flexion_left_deg"]["median"]
    after = report["measurements"]["knee_flexion_left_deg"]["median"]
    assert after < before - 15  # straighter than straight: hyperextension is negative
    hyper = _finding(report, "knee_hyperextension")
    assert _finding(original, "knee_hyperextension")["status"] == "not_detected"
    assert hyper["status"] == "detected"
    block = report["corrections"]
    assert block["label"] == CORRECTED_LABEL
    [moved] = block["landmarks"]
    assert moved["name"] == "left_knee" and moved["x_px"] == pytest.approx(
        moved["original_x_px"] + 40, abs=0.01)
    knee = next(m for m in block["measurements"] if m["name"] == "knee_flexion_left_deg")
    assert (knee["original"], knee["corrected"]) == (before, after)
    status = next(f for f in block["findings"]
                  if f["id"] == "knee_hyperextension" and f["field"] == "status")
    assert (status["original"], status["corrected"]) == ("not_detected", "detected")
    at_frame = next(v for v in block["frame_values"] if v["name"] == "knee_flexion_left_deg")
    assert at_frame["corrected"] == pytest.approx(after, abs=0.05)
    # values that do not depend on the knee are not listed as changed
    assert all(m["name"] != "trunk_inclination_deg" for m in block["measurements"])


def test_knee_moved_forward_reads_a_bent_knee(photo) -> None:  # noqa: ANN001
    original = photo.report.to_dict()
    report = _move_knee(photo, -40).report.to_dict()
    validate(report)
    after = report["measurements"]["knee_flexion_left_deg"]["median"]
    assert after > original["measurements"]["knee_flexion_left_deg"]["median"] + 15
    assert _finding(report, "bent_knee")["status"] == "detected"
    assert _finding(report, "knee_hyperextension")["status"] == "not_detected"


def test_the_angle_grows_with_the_distance_moved(photo) -> None:  # noqa: ANN001
    values = [_move_knee(photo, dx).report.to_dict()["measurements"]["knee_flexion_left_deg"]
              ["median"] for dx in (-30, -10, 10, 30)]
    assert values == sorted(values, reverse=True)


def _pose(n: int = 1) -> PoseSequence:
    xy = np.full((n, 33, 2), 100.0)
    xy[:, RIGHT_KNEE] = (50.0, 60.0)
    return PoseSequence(np.arange(n) * 2, np.arange(n) / 15.0, xy, np.zeros((n, 33)),
                        np.full((n, 33), 0.2), np.zeros((n, 33, 3)), 640, 480, "video")


@pytest.mark.parametrize("fix, words", [
    (LandmarkCorrection(0, 25, 700.0, 100.0), "off the picture"),
    (LandmarkCorrection(0, 25, 10.0, -1.0), "off the picture"),
    (LandmarkCorrection(0, 25, math.nan, 10.0), "off the picture"),
    (LandmarkCorrection(3, 25, 10.0, 10.0), "Frame 3 was not analysed"),
    (LandmarkCorrection(0, 33, 10.0, 10.0), "out of range"),
    (LandmarkCorrection(0, -1, 10.0, 10.0), "out of range"),
])
def test_bad_corrections_are_one_sentence(fix: LandmarkCorrection, words: str) -> None:
    with pytest.raises(InputError) as err:
        apply_corrections(_pose(2), [fix])
    assert words in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("data", [None, {"frame_index": 0}, {"frame_index": "a",
                                  "landmark": 25, "x_px": 1, "y_px": 2},
                                  {"frame_index": 0, "landmark": "elbow", "x_px": 1, "y_px": 2}])
def test_bad_correction_messages_are_one_sentence(data) -> None:  # noqa: ANN001
    with pytest.raises(InputError) as err:
        LandmarkCorrection.from_dict(data)
    assert "\n" not in str(err.value)


def test_apply_moves_the_point_marks_it_seen_and_leaves_the_input_alone() -> None:
    pose = _pose(2)
    fixed = apply_corrections(pose, [LandmarkCorrection(2, "left_knee", 30.0, 40.0)])
    assert tuple(fixed.xy_px[1, LEFT_KNEE]) == (30.0, 40.0)
    assert fixed.visibility[1, LEFT_KNEE] == 1.0
    assert tuple(pose.xy_px[1, LEFT_KNEE]) == (100.0, 100.0)  # a copy: the original kept
    assert tuple(fixed.xy_px[0, LEFT_KNEE]) == (100.0, 100.0)  # other frames untouched


def test_a_swapped_leg_moves_the_landmark_the_clinician_saw() -> None:
    # Drawn as the left knee at (50, 60), which is MediaPipe's right knee (legs swapped).
    fixed = apply_corrections(_pose(), [LandmarkCorrection(0, LEFT_KNEE, 55.0, 65.0, 50, 60)])
    assert tuple(fixed.xy_px[0, RIGHT_KNEE]) == (55.0, 65.0)
    assert tuple(fixed.xy_px[0, LEFT_KNEE]) == (100.0, 100.0)


def test_moving_a_point_twice_keeps_the_first_original() -> None:
    first = LandmarkCorrection(0, LEFT_KNEE, 10.0, 10.0, 1.0, 2.0)
    second = LandmarkCorrection(0, LEFT_KNEE, 20.0, 20.0, 10.0, 10.0)
    other = LandmarkCorrection(0, LEFT_HIP, 5.0, 5.0, 4.0, 4.0)
    merged = merge_corrections([first, other], [second])
    knee = next(c for c in merged if c.landmark == LEFT_KNEE)
    assert (knee.x_px, knee.original_x_px, knee.original_y_px) == (20.0, 1.0, 2.0)
    assert len(merged) == 2
    assert LandmarkCorrection.from_dict(knee.to_dict()) == knee


def test_goniometer_angle() -> None:
    assert three_point_angle_deg((0, 0), (0, 10), (10, 10)) == pytest.approx(90.0)
    assert three_point_angle_deg((0, 0), (0, 10), (0, 20)) == pytest.approx(180.0)
    assert three_point_angle_deg((10, 0), (0, 0), (10, 10 * math.tan(math.radians(30)))) \
        == pytest.approx(30.0)
    assert math.isnan(three_point_angle_deg((0, 0), (0, 0), (1, 1)))
    with pytest.raises(InputError):
        three_point_angle_deg((0, 0), (1,), (1, 1))


def test_plumb_line_through_the_near_ankle_or_between_the_feet() -> None:
    xy = np.full((33, 2), np.nan)
    xy[LEFT_ANKLE] = (200.0, 500.0)
    assert plumb_line_x_px(xy, "side_left") == 200.0
    assert plumb_line_x_px(xy, "side_right") == 200.0  # the far ankle when the near is hidden
    assert plumb_line_x_px(xy, "front") is None  # needs both feet
    xy[LEFT_ANKLE + 1] = (260.0, 505.0)
    assert plumb_line_x_px(xy, "front") == 230.0
    assert plumb_line_x_px(xy, "side_right") == 260.0


def test_landmark_names_follow_mediapipes_indices() -> None:
    from posture import landmarks

    assert len(landmarks.LANDMARK_NAMES) == landmarks.N_LANDMARKS
    for name in ("left_knee", "right_knee", "left_heel", "right_foot_index", "nose"):
        assert landmarks.LANDMARK_NAMES.index(name) == getattr(landmarks, name.upper())
