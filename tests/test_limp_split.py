"""The held-out limp split (tests/data/limp): six side-on walks of 6 s (4+ strides a leg),
four of them antalgic limps (the painful leg's stance 54 % of the stride against 67 %),
one normal and one slow gait. No rule was fitted on them (docs/synthetic.md). The walking
weight-shift finding must name the leg that carries the body longer where it judges, and
never find a limp in the normal gaits."""

from __future__ import annotations

from pathlib import Path

import pytest

from posture.evaluate import evaluate_folder
from posture.evaluate_results import summary

LIMP = Path(__file__).parent / "data" / "limp"


@pytest.fixture(scope="module")
def evaluation():
    return evaluate_folder(LIMP)


def test_the_limp_side_is_right_wherever_it_is_judged(evaluation):
    limp = summary(evaluation)["limp_side"]
    assert limp["wrong"] == 0
    # Measured when the split was first run: 2 of the 4 limps judged (both right), the
    # other two "not assessable" because the engine timed fewer than 3 strides a side.
    # Since heel strikes are no longer dropped for landing close to the pelvis (issue 11,
    # fixed on dev data only): 3 of 4 judged, all right; li4 was still not assessable: its
    # first 2 s had no landmarks. Since a whole frame with nobody in it is searched again
    # in a crop around the lone person the scan saw (found on dev renders only): 4 of 4.
    assert limp["right"] == 4


def test_no_limp_or_other_finding_on_the_normal_gaits(evaluation):
    assert evaluation.false_alarms == []
    for record in evaluation.records:
        if record.conditions.get("gait") in ("normal", "slow"):
            assert "weight_shift" not in record.detected, record.file


def test_stance_share_of_every_leg_within_5_points(evaluation):
    within, total = summary(evaluation)["stance_within_5_points"]
    assert total == 12 and within == total
