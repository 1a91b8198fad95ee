"""The session's verdict per check (reports.verdicts), the step checks, and the wording
helpers the session report uses (their docstring examples run here too: ``reports`` is not
among pytest's doctest paths)."""

from __future__ import annotations

import doctest

import pytest

import reports.compare
import reports.verdicts
import reports.wording
from reports.verdicts import (
    FLAG_MIN_CONFIDENCE,
    nobody_in_view,
    session_verdicts,
    step_mismatch,
    verdict_findings,
    verdict_for,
)


@pytest.mark.parametrize("module", [reports.verdicts, reports.wording, reports.compare])
def test_docstring_examples(module) -> None:  # noqa: ANN001
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def _f(fid: str, status: str, value=None, confidence: float = 0.9, severity: str = "none"):  # noqa: ANN202
    return {"id": fid, "status": status, "value": value, "unit": "deg", "threshold": 10.0,
            "severity": severity, "confidence": 0.0 if status == "not_assessable" else confidence,
            "message": f"{fid} {status}"}


def _r(view: str, activity: str, *findings: dict) -> dict:
    return {"summary": {"view": view, "activity": activity, "person_found": True},
            "findings": list(findings)}


def test_a_step_that_cannot_see_a_check_never_outvotes_one_that_measured_it() -> None:
    reports = {
        "standing_front": _r("front", "standing", _f("bent_knee", "not_assessable")),
        "standing_side": _r("side_left", "standing", _f("bent_knee", "not_detected", 3.0)),
    }
    v = verdict_for("bent_knee", reports)
    assert (v.status, v.step_key, v.step_title) == ("not_detected", "standing_side",
                                                   "Standing, side-on")
    assert v.finding["step_key"] == "standing_side"
    assert v.basis() == "From Standing, side-on."


def test_a_confident_finding_in_any_step_beats_not_seen_in_another() -> None:
    reports = {
        "standing_side": _r("side_left", "standing", _f("bent_knee", "not_detected", 3.0, 1.0)),
        "walking_side": _r("side_left", "walking",
                           _f("bent_knee", "detected", 18.0, 0.8, "moderate")),
    }
    v = verdict_for("bent_knee", reports)
    assert (v.status, v.step_key) == ("detected", "walking_side")
    assert v.basis() == ("From Walking, side-on. Also measured in Standing, side-on: "
                         "not seen, 3.0°.")


def test_detected_beats_uncertain_and_a_weak_reading_does_not_beat_a_clear_one() -> None:
    reports = {
        "standing_side": _r("side_left", "standing",
                            _f("bent_knee", "uncertain", 11.0, 0.6, "mild")),
        "walking_side": _r("side_left", "walking",
                           _f("bent_knee", "detected", 15.0, 0.75, "mild")),
    }
    assert verdict_for("bent_knee", reports).step_key == "walking_side"
    weak = FLAG_MIN_CONFIDENCE - 0.1
    reports = {
        "standing_side": _r("side_left", "standing",
                            _f("bent_knee", "uncertain", 10.5, weak, "mild")),
        "walking_side": _r("side_left", "walking", _f("bent_knee", "not_detected", 4.0, 0.95)),
    }
    v = verdict_for("bent_knee", reports)
    assert (v.status, v.step_key) == ("not_detected", "walking_side")
    assert "Standing, side-on: uncertain — possibly present, mild, 10.5°" in v.basis()
    # alone, the weak reading still stands (hedged as it is)
    alone = verdict_for("bent_knee", {"standing_side": reports["standing_side"]})
    assert alone.status == "uncertain"


def test_among_equal_readings_the_step_meant_for_the_check_then_the_most_confident() -> None:
    reports = {
        "standing_side": _r("side_left", "standing", _f("weight_shift", "not_detected", 52.0,
                                                         0.7)),
        "standing_front": _r("front", "standing", _f("weight_shift", "not_detected", 53.0,
                                                      0.6)),
        "walking_side": _r("side_left", "walking", _f("weight_shift", "not_detected", 1.0,
                                                       0.99)),
    }
    assert verdict_for("weight_shift", reports).step_key == "standing_front"
    reports = {
        "standing_side": _r("side_left", "standing", _f("bent_knee", "not_detected", 2.0, 0.7)),
        "walking_side": _r("side_left", "walking", _f("bent_knee", "not_detected", 2.0, 0.9)),
    }
    assert verdict_for("bent_knee", reports).step_key == "walking_side"


def test_a_check_nobody_assessed_says_why_or_that_its_step_is_missing() -> None:
    walk = _r("side_left", "walking", _f("hollow_back", "not_assessable"))
    walk["findings"][0]["message"] = "Judged in quiet standing."
    v = verdict_for("hollow_back", {"walking_side": walk})
    assert v.status == "not_assessable" and v.step_key is None and not v.recorded
    assert "needs the step 'Standing, side-on'" in v.finding["message"]
    side = _r("side_left", "standing", _f("hollow_back", "not_assessable"))
    side["findings"][0]["message"] = "Too few frames showed the hips."
    v = verdict_for("hollow_back", {"standing_side": side, "walking_side": walk})
    assert v.recorded and v.step_key == "standing_side"
    assert v.finding["message"] == "Too few frames showed the hips."


def test_one_finding_per_check_goes_to_the_explanations() -> None:
    reports = {
        "standing_side": _r("side_left", "standing", _f("bent_knee", "not_detected", 3.0)),
        "standing_front": _r("front", "standing", _f("bent_knee", "not_assessable")),
    }
    findings = verdict_findings(session_verdicts(reports))
    assert [f["status"] for f in findings if f["id"] == "bent_knee"] == ["not_detected"]
    assert len({f["id"] for f in findings}) == len(findings) == 5


@pytest.mark.parametrize(
    ("step", "view", "activity", "expected"),
    [
        ("standing_side", "side_right", "standing", None),
        ("standing_front", "back", "standing", None),
        ("walking_side", "side_left", "walking", None),
        ("standing_side", "front", "standing", "facing the camera, standing"),
        ("standing_front", "side_left", "standing", "side-on, left side towards the camera"),
        ("walking_side", "side_left", "standing", "need walking"),
        ("standing_side", "side_left", "walking", "need quiet standing"),
        ("walking_side", "unknown", "walking", "unclear, walking"),
    ],
)
def test_a_step_says_when_its_recording_is_not_what_it_asks_for(step, view, activity,
                                                                  expected) -> None:
    message = step_mismatch(step, {"summary": {"view": view, "activity": activity,
                                               "person_found": True}})
    if expected is None:
        assert message is None
    else:
        assert message is not None and expected in message


def test_nobody_in_view_is_its_own_message() -> None:
    report = {"summary": {"view": "unknown", "activity": "standing", "person_found": False}}
    assert nobody_in_view(report)
    assert step_mismatch("standing_side", report).startswith("Nobody was found")
    assert not nobody_in_view({"summary": {}})  # an older report without the field


def test_evidence_frames_come_worst_first() -> None:
    from ui.engine import evidence_times

    finding = {"id": "knee_hyperextension", "status": "detected", "severity": "marked",
               "value": -12.0, "threshold": -5.0, "unit": "deg",
               "evidence": [{"t_s": 0.5, "value": -5.5}, {"t_s": 1.0, "value": -14.0},
                            {"t_s": 1.5, "value": -9.0}]}
    picked = evidence_times({"findings": [finding]}, per_finding=3)
    assert [t for _, _, t in picked] == [1.0, 1.5, 0.5]
    assert picked[0][1].endswith("-14.0° at 1.0 s")


def test_a_verdict_resting_on_corrected_landmarks_says_so_in_the_summary_table() -> None:
    from reports.pdf import summary_table_rows
    from ui.components import verdict_rows

    side = _r("side_left", "standing", _f("knee_hyperextension", "detected", -12.0, 0.9,
                                          "moderate"), _f("bent_knee", "not_detected", -12.0))
    side["corrections"] = {"label": "corrected by the clinician",
                           "findings": [{"id": "knee_hyperextension", "field": "status",
                                         "original": "not_detected", "corrected": "detected"}]}
    verdicts = session_verdicts({"standing_side": side})
    by_id = {v.check_id: v for v in verdicts}
    assert by_id["knee_hyperextension"].corrected
    assert not by_id["bent_knee"].corrected  # its reading did not change
    rows = {r["check"]: r["verdict"] for r in verdict_rows(verdicts)}
    assert rows[by_id["knee_hyperextension"].title].endswith("(corrected by the clinician)")
    assert "corrected" not in rows[by_id["bent_knee"].title]
    table = summary_table_rows(verdicts, ["standing_side"])
    marked = [row for row in table if "corrected by the clinician" in row[1]]
    assert [row[0].split("\n")[0] for row in marked] == [by_id["knee_hyperextension"].title]
