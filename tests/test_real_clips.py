"""Integration tests on the real clips in ../shared/media (skipped where it is absent).

The reference landmark files check the pose wiring reproduces MediaPipe's own answer with
the pinned package; the clips themselves check what the engine makes of real people.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from posture.pipeline import analyse
from posture.pose import PoseEstimator
from posture.source import open_media


@pytest.fixture(scope="module")
def walk(shared_media):
    return analyse(shared_media / "walk_side_outdoor_sports2d.mp4")


@pytest.fixture(scope="module")
def balance_front(shared_media):
    return analyse(shared_media / "one_leg_balance_front_pose2sim.mp4")


def test_warrior_photo_matches_mediapipe_reference_landmarks(shared_media):
    text = (shared_media / "reference" / "warrior2_front_mediapipe_landmarks.pbtxt").read_text()
    xs = [float(v) for v in re.findall(r"\bx: ([-\d.e]+)", text)][:33]
    ys = [float(v) for v in re.findall(r"\by: ([-\d.e]+)", text)][:33]
    reference = np.c_[xs, ys]
    with open_media(shared_media / "warrior2_front_mediapipe.jpg") as media:
        frame = next(iter(media))
    h, w = frame.image_rgb.shape[:2]
    with PoseEstimator("image") as estimator:
        pose = estimator.estimate(frame.image_rgb, 0, 0.0, w, h)
    normalized = pose.xy_px / (w, h)
    # Measured here with mediapipe 0.10.21: 0.018 at most.
    assert np.abs(normalized - reference).max() < 0.02


def test_squat_clip_matches_mediapipe_reference_on_every_frame(shared_media):
    reference = np.array(json.loads(
        (shared_media / "reference" / "squats_front_mediapipe_landmarks.json").read_text()
    ))
    worst_px = []
    with open_media(shared_media / "squats_front_tfjs.mp4") as media, \
            PoseEstimator("video") as estimator:
        for frame in media:
            h, w = frame.image_rgb.shape[:2]
            pose = estimator.estimate(frame.image_rgb, frame.index, frame.t_s, w, h)
            worst_px.append(np.abs(pose.xy_px - reference[frame.index, :, :2]).max())
    assert len(worst_px) == len(reference) == 65
    # Per coordinate, every landmark, every frame: 18.007 px at most when measured here.
    assert max(worst_px) < 18.5


def test_outdoor_walk_follows_the_walker_and_finds_heel_strikes(walk):
    report = walk.report.to_dict()
    summary = report["summary"]
    assert summary["activity"] == "walking"
    assert summary["view"] == "side_left"  # she walks toward image-left
    assert summary["people_seen"] >= 2
    assert "walking across the view" in summary["subject_selection"]
    strikes = [e for e in report["gait"]["events"] if e["kind"] == "heel_strike"]
    assert len(strikes) >= 4
    assert {e["side"] for e in strikes} == {"left", "right"}
    # Heel strikes alternate between the feet, as in any walk.
    sides = [e["side"] for e in strikes]
    assert all(a != b for a, b in zip(sides, sides[1:], strict=False))
    assert 70 <= report["gait"]["cadence_steps_per_min"] <= 140
    knees = report["findings"]
    assert {f["id"]: f["status"] for f in knees}["bent_knee"] == "not_detected"
    assert {f["id"]: f["status"] for f in knees}["knee_hyperextension"] == "not_detected"


def test_balancing_clip_shows_weight_on_one_leg(balance_front):
    finding = balance_front.report.finding("weight_shift")
    assert balance_front.report.summary["view"] == "front"
    assert finding.status == "detected"
    # He balances on his right leg with the left foot lifted in the steady frames.
    assert finding.side == "right"
    lifted = balance_front.measurements.values["foot_lift_left_pct"]
    assert np.nanmax(lifted) > 20


def test_oblique_squat_clip_makes_no_weight_shift_finding(shared_media):
    analysis = analyse(shared_media / "squats_front_tfjs.mp4")
    finding = analysis.report.finding("weight_shift")
    # 15-20 degrees oblique (within the 30 degree limit), squatting between short stands:
    # the turn is measured and carried in the load share's error, so no confident shift.
    camera = analysis.report.summary["camera"]
    assert 10 <= camera["off_axis_deg"] <= 35
    assert finding.status in ("not_detected", "uncertain", "not_assessable")


# ------------------------------------------------------------- findings that hold on real people


def _statuses(analysis) -> dict[str, str]:
    return {f.id: f.status for f in analysis.report.findings}


def test_outdoor_walk_gives_no_finding(walk):
    statuses = _statuses(walk)
    assert "detected" not in statuses.values() and "uncertain" not in statuses.values(), statuses
    # A normal walker: the over-erect posture is judged standing only, the trunk reported.
    hollow = walk.report.finding("hollow_back")
    assert hollow.status == "not_assessable" and "standing" in hollow.message
    camera = walk.report.summary["camera"]
    assert camera["corrected"] and abs(camera["roll_deg"]) < 3
    assert camera["off_axis_deg"] < 20
    gait = walk.report.gait
    assert gait.reliable and gait.kind == "walking"
    assert all(55 <= pct <= 70 for pct in gait.stance_phase_pct.values() if pct is not None)


def test_second_side_on_walker_gives_no_finding(shared_media):
    analysis = analyse(shared_media / "walk_side_outdoor2_sarweshshah.mp4")
    statuses = _statuses(analysis)
    assert "detected" not in statuses.values() and "uncertain" not in statuses.values(), statuses
    assert analysis.report.gait.reliable


def test_treadmill_runner_is_running_and_not_judged_by_walking_norms(shared_media):
    analysis = analyse(shared_media / "run_treadmill_side_zzzhushi.mp4")
    truth = json.loads((shared_media / "reference"
                        / "run_treadmill_side_zzzhushi.groundtruth.json").read_text())
    assert analysis.report.summary["activity"] == "running"
    cadence = analysis.report.gait.cadence_steps_per_min
    assert "168.9" in json.dumps(truth) and abs(cadence - 168.9) <= 3.0
    statuses = _statuses(analysis)
    assert "detected" not in statuses.values() and "uncertain" not in statuses.values(), statuses
    for check in ("knee_hyperextension", "bent_knee"):
        assert "running" in analysis.report.finding(check).message


def test_oblique_balancing_clip_claims_no_weight_shift_side(shared_media):
    analysis = analyse(shared_media / "one_leg_balance_front_oblique_pose2sim.mp4")
    # About 35 deg off both axes: every check refuses; the side checks say how oblique.
    for finding in analysis.report.findings:
        assert finding.status == "not_assessable"
    assert "off the side axis" in analysis.report.finding("knee_hyperextension").message


def test_people_taking_turns_at_a_table_are_not_merged(shared_media):
    analysis = analyse(shared_media / "stand_back_people_intel.mp4")
    summary = analysis.report.summary
    assert summary["view"] == "back" and summary["activity"] == "standing"
    kept_t = analysis.pose.t_s[analysis.subject.keep]
    # One reader, from walking up to walking away, not five people stitched together.
    assert kept_t.max() - kept_t.min() < 40
    shift = analysis.report.finding("weight_shift")
    # Judged by eye on the evidence frames: her hips stand over her right foot.
    assert shift.status in ("detected", "uncertain") and shift.side == "right"
