"""The app's door to the engine: clear messages, no leftovers, live bridge, charts."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import numpy as np
import pytest

import posture
from reports.compare import compare_steps
from ui import charts
from ui.engine import APOLOGY, analyse_upload, red_flags_for
from ui.live_bridge import LiveBridge, snapshot_of

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "tests" / "data" / "synthetic"


def _leftovers() -> set[str]:
    tmp = Path(tempfile.gettempdir())
    return {p.name for p in tmp.glob("posture-upload-*")} | {
        p.name for p in tmp.glob("posture-out-*")
    }


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "empty.mp4", "empty"),
        (b"<html><body>not a video</body></html>", "page.mp4", "page.mp4"),
        (bytes(range(256)) * 40, "noise.png", "noise.png"),
    ],
)
def test_bad_uploads_get_one_sentence_and_leave_no_files(data, name, expected) -> None:
    before = _leftovers()
    result = analyse_upload(data, name)
    assert not result.ok
    assert expected in result.error
    assert "Traceback" not in result.error and "\n" not in result.error
    assert _leftovers() == before


def test_unexpected_engine_failure_is_an_apology_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ZeroDivisionError("internal detail")

    monkeypatch.setattr(posture, "analyse", broken)
    photo = SYNTHETIC / "stand_side_left_neutral_f1.png"
    if not photo.is_file():
        pytest.skip("synthetic subject missing")
    before = _leftovers()
    with caplog.at_level(logging.ERROR, logger="posture.app"):
        result = analyse_upload(photo.read_bytes(), photo.name)
    assert result.error == APOLOGY
    assert "internal detail" not in result.error
    assert any("ZeroDivisionError" in (r.exc_text or "") for r in caplog.records)
    assert _leftovers() == before


def test_photo_analysis_gives_report_csv_and_key_frame() -> None:
    photo = SYNTHETIC / "stand_side_left_hyperext15_f3.png"
    if not photo.is_file():
        pytest.skip("synthetic subject missing")
    result = analyse_upload(photo.read_bytes(), photo.name)
    assert result.ok, result.error
    detected = {f["id"] for f in result.report["findings"] if f["status"] == "detected"}
    assert "knee_hyperextension" in detected
    assert result.key_frames and result.key_frames[0][0] in detected
    assert result.key_frames[0][2].ndim == 3
    assert result.csv_text.splitlines()[0].startswith("frame_index")
    assert result.annotated_video is None  # a photo has no video


def test_stated_clothing_reaches_the_engine_and_its_re_runs() -> None:
    photo = Path(__file__).parents[1] / "samples" / "stand_side_neutral.jpg"
    result = analyse_upload(photo.read_bytes(), photo.name, clothing="loose_trousers")
    assert result.ok, result.error
    assert result.report["summary"]["clothing_at_knees"] == "loose_trousers"
    # A correction re-runs the engine with the same settings, the clothing among them.
    assert result.review is not None
    assert result.review.config.clothing_at_knees == "loose_trousers"
    plain = analyse_upload(photo.read_bytes(), photo.name)
    assert plain.report["summary"]["clothing_at_knees"] == "not_stated"


def test_red_flags_come_from_the_engine_and_only_for_answers() -> None:
    assert red_flags_for({}) == []
    assert red_flags_for({"breathless_or_chest_pain": False}) == []
    flags = red_flags_for({"breathless_or_chest_pain": True})
    assert flags and flags[0]["urgency"] == "emergency"


class _FakeAnalyser:
    """Stands in for posture.live.LiveAnalyser: the bridge only passes frames and states."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.calls: list[float] = []
        self.fail_at = fail_at
        self.closed = False

    def process(self, frame, t_s):  # noqa: ANN001, ANN201
        self.calls.append(t_s)
        if self.fail_at is not None and len(self.calls) >= self.fail_at:
            raise RuntimeError("boom")
        state = posture.live.LiveState(
            person_found=True, view="side_left", measurements={"knee_flexion_left_deg": -3.0},
            guidance=["Hold still for 2 more seconds."], steady_s=3.0,
        )
        return frame + 1, state

    def close(self) -> None:
        self.closed = True


def test_live_bridge_passes_frames_and_copies_state() -> None:
    import posture.live  # noqa: F401 - LiveState used by the fake

    fake = _FakeAnalyser()
    bridge = LiveBridge(lambda: fake)
    frame = np.zeros((4, 4, 3), np.uint8)
    out = bridge.process(frame, 1.5)
    assert out[0, 0, 0] == 1  # the annotated frame comes back
    snap = bridge.latest()
    assert snap.frames_seen == 1 and fake.calls == [1.5]
    assert snap.measurements == {"knee_flexion_left_deg": -3.0}
    assert snap.guidance == ["Hold still for 2 more seconds."]
    assert not snap.ready  # no findings yet: no verdict
    assert snap.progress == pytest.approx(0.6)
    bridge.reset()
    assert fake.closed and bridge.latest().frames_seen == 0


def test_live_bridge_failure_keeps_video_and_says_so() -> None:
    import posture.live  # noqa: F401

    bridge = LiveBridge(lambda: _FakeAnalyser(fail_at=2))
    frame = np.zeros((4, 4, 3), np.uint8)
    bridge.process(frame, 0.0)
    out = bridge.process(frame, 0.1)
    assert out is frame
    assert "not working" in bridge.latest().problem
    assert bridge.process(frame, 0.2) is frame  # stays off, no exception per frame


def test_live_state_with_findings_is_ready() -> None:
    from posture.live import LiveState

    state = LiveState(findings=[], report={"findings": [{"id": "bent_knee", "status": "detected"}]})
    snap = snapshot_of(state, 10)
    assert snap.ready and snap.findings == [{"id": "bent_knee", "status": "detected"}]


def test_knee_chart_marks_heel_strikes_and_stance() -> None:
    series = {"t_s": [0.0, 0.5, 1.0, 1.5], "knee_flexion_left_deg": [5, 20, 10, float("nan")],
              "knee_flexion_right_deg": [10, 5, 25, 8]}
    gait = {"events": [
        {"side": "left", "kind": "heel_strike", "t_s": 0.1},
        {"side": "left", "kind": "toe_off", "t_s": 0.7},
        {"side": "right", "kind": "heel_strike", "t_s": 0.6},
    ]}
    assert charts.stance_phases(gait) == [("left", 0.1, 0.7)]
    fig = charts.knee_chart(series, gait)
    assert [t.name for t in fig.data] == ["left knee", "right knee"]
    assert fig.data[0].y[-1] is None  # a frame without a pose is a gap, not a zero
    shapes = fig.layout.shapes
    assert sum(s.type == "rect" for s in shapes) == 1  # one stance phase
    assert sum(s.type == "line" and s.line.dash == "dot" for s in shapes) == 2  # heel strikes


def test_charts_skip_series_without_data() -> None:
    series = {"t_s": [0.0, 1.0], "trunk_inclination_deg": [float("nan")] * 2}
    assert charts.trunk_chart(series) is None
    assert charts.all_charts({"t_s": []}, None) == []


def test_comparison_reports_change_by_step() -> None:
    old = {"standing_side": {"findings": [], "measurements": {
        "trunk_inclination_deg": {"median": 6.0, "unit": "deg"}}}}
    new = {"standing_side": {"findings": [], "measurements": {
        "trunk_inclination_deg": {"median": 2.5, "unit": "deg"}}}}
    [row] = compare_steps(old, new)
    assert (row.before, row.after, row.change, row.changed) == ("6.0°", "2.5°", "-3.5°", True)
    [same] = compare_steps(old, old)
    assert not same.changed


def test_a_live_verdict_kept_for_a_session_step_is_the_engines_report() -> None:
    from ui.engine import result_from_live

    report = {"summary": {"view": "side_left"}, "findings": [{"id": "knee_hyperextension",
                                                             "status": "detected"}]}
    frame = np.zeros((48, 64, 3), np.uint8)
    result = result_from_live(report, frame)
    assert result.ok and result.report is report
    assert result.key_frames[0][2].shape == frame.shape
    frame[:] = 255  # the kept key frame is a copy, not the camera's reused buffer
    assert result.key_frames[0][2].max() == 0
    assert result_from_live(report, None).key_frames == []


# --------------------------------------------------------------------------------------------
# Uncertain findings and unreliable gait in the app's helpers


def test_knee_chart_does_not_shade_stance_of_an_unreliable_gait() -> None:
    series = {"t_s": [0.0, 0.5, 1.0, 1.5], "knee_flexion_left_deg": [5, 20, 10, 8]}
    events = [{"side": "left", "kind": "heel_strike", "t_s": 0.1},
              {"side": "left", "kind": "toe_off", "t_s": 0.7}]
    unreliable = {"events": events, "reliable": False, "kind": "running",
                  "unreliable_reason": "Too few steps were seen."}
    assert charts.stance_phases(unreliable) == []
    fig = charts.knee_chart(series, unreliable)
    assert not any(s.type == "rect" for s in fig.layout.shapes)
    assert "not reliable" in fig.layout.title.text and "stance" not in fig.layout.title.text
    reliable = charts.knee_chart(series, {"events": events, "reliable": True})
    assert sum(s.type == "rect" for s in reliable.layout.shapes) == 1


def _finding(fid: str, status: str, t_s: float) -> dict:
    return {"id": fid, "title": fid.replace("_", " ").capitalize(), "status": status,
            "severity": "mild" if status in ("detected", "uncertain") else "none",
            "side": None, "value": 7.0, "unit": "deg",
            "evidence": [{"frame_index": 3, "t_s": t_s, "value": 7.0}]}


def test_key_frames_of_uncertain_findings_come_after_seen_ones_and_say_so() -> None:
    from ui.engine import evidence_times

    report = {"findings": [_finding("hollow_back", "uncertain", 1.0),
                           _finding("bent_knee", "detected", 2.0),
                           _finding("weight_shift", "not_detected", 3.0)]}
    picked = evidence_times(report)
    assert [fid for fid, _, _ in picked] == ["bent_knee", "hollow_back"]
    assert picked[0][1] == "Bent knee: 7.0° at 2.0 s"
    assert picked[1][1] == "Hollow back (uncertain, possibly present): 7.0° at 1.0 s"


def test_session_explanations_and_comparison_hedge_uncertain_findings() -> None:
    from ui.engine import explain_reports

    reports = [{"findings": [_finding("hollow_back", "uncertain", 1.0)]},
               {"findings": [_finding("bent_knee", "detected", 2.0)]}]
    explanations, flags = explain_reports(reports, {"swelling_one_leg": True})
    assert flags and flags[0]["urgency"] == "same_day"
    assert [(e["id"], e["relevance"]) for e in explanations] == [
        ("bent_knee_habit", "matches_findings"),
        ("hollow_back_pattern", "uncertain_findings"),
    ]
    assert "worth checking by eye" in explanations[1]["text"]
    old = {"standing_side": {"findings": [_finding("hollow_back", "detected", 1.0)]}}
    new = {"standing_side": {"findings": [_finding("hollow_back", "uncertain", 1.0)]}}
    [row] = compare_steps(old, new)
    assert (row.before, row.after, row.changed) == (
        "Seen, mild, 7.0°", "Uncertain — possibly present, mild, 7.0°", True)


def test_frames_write_uncertain_findings_in_amber_without_the_red_frame() -> None:
    from posture.annotate import FLAG_COLOUR, UNCERTAIN_COLOUR, draw_frame

    image = np.zeros((240, 320, 3), np.uint8)
    xy = np.full((33, 2), np.nan)
    out = draw_frame(image, xy, {}, [], [], ["Hollow back"])
    colours = {tuple(int(v) for v in px) for px in out.reshape(-1, 3)}
    assert UNCERTAIN_COLOUR in colours and FLAG_COLOUR not in colours
    seen = draw_frame(image, xy, {}, [], ["Bent knee"])
    assert tuple(int(v) for v in seen[0, 0]) == FLAG_COLOUR  # the red border of a seen one
    assert tuple(int(v) for v in out[0, 0]) == (0, 0, 0)


def test_review_data_correction_undo_and_what_a_session_stores() -> None:
    """A photo keeps what review needs; moving the knee runs the engine again (the report
    marks it), undo restores the first analysis, and the step's annotations hold both."""
    from ui.engine import (
        correct_landmarks,
        draw_tools,
        frame_values,
        goniometer_angle_deg,
        review_frame,
        session_annotations,
        tool_payload,
        undo_corrections,
    )

    photo = ROOT / "samples" / "stand_side_neutral.jpg"
    if not photo.is_file():
        pytest.skip("sample photo missing")
    result = analyse_upload(photo.read_bytes(), photo.name)
    assert result.ok and result.review is not None
    review = result.review
    assert review.landmarks_px.shape == (1, 33, 2) and review.positions == [0]
    assert review_frame(result, 0).shape == (960, 720, 3)
    knee_row = next(r for r in frame_values(result, 0) if r["measurement"].startswith(
        "Left knee flexion"))
    first = result.report
    x, y = review.landmarks_px[0, 25]
    problem = correct_landmarks(result, [{"frame_index": 0, "landmark": 25, "x_px": x + 40,
                                          "y_px": y, "original_x_px": x,
                                          "original_y_px": y}])
    assert problem is None
    assert result.report["corrections"]["landmarks"][0]["name"] == "left_knee"
    assert result.review.landmarks_px[0, 25, 0] == pytest.approx(x + 40, abs=2)
    changed = next(r for r in frame_values(result, 0) if r["measurement"].startswith(
        "Left knee flexion"))
    assert changed != knee_row
    # a bad correction is one sentence, and leaves the corrected analysis as it was
    kept = result.report
    assert "off the picture" in correct_landmarks(
        result, [{"frame_index": 0, "landmark": 25, "x_px": 5000, "y_px": 1}])
    assert result.report is kept
    result.tools["goniometer"] = tool_payload(result, 0, {
        "points_px": [[300, 460], [390, 630], [400, 800]],
        "angle_deg": goniometer_angle_deg([[300, 460], [390, 630], [400, 800]])})
    marks = session_annotations(result)
    assert set(marks) == {"corrections", "goniometer", "key_frame"}
    assert marks["key_frame"]["image_size"] == [720, 960]
    assert marks["key_frame"]["landmarks_px"][25][0] == pytest.approx(x + 40, abs=2)
    assert 90 < marks["goniometer"]["angle_deg"] < 180
    picture = result.key_frames[0][2]
    drawn = draw_tools(picture, marks)
    assert (drawn != picture).any()
    undo_corrections(result)
    assert result.report is first and "corrections" not in result.report
    assert "corrections" not in session_annotations(result)
