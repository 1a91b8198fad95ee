"""PDF reports: valid files that carry the patient code, the findings and the key frames.

fpdf2 writes text with an embedded font as glyph ids, so the text is checked through the
document metadata (which the module fills from the same findings) and the structure
through the raw PDF objects; pypdf is not a dependency.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from reports.pdf import PdfStep, analysis_pdf, session_pdf
from reports.wording import DISCLAIMER, FINDING_TITLES


def _report(status: str = "detected") -> dict:
    return {
        "schema_version": "1",
        "summary": {"view": "side_left", "activity": "standing"},
        "measurements": {"knee_flexion_left_deg": {"median": -8.2, "unit": "deg"}},
        "findings": [
            {"id": "knee_hyperextension", "status": status, "severity": "moderate",
             "side": "left", "value": -8.2, "unit": "deg", "threshold": -5.0,
             "confidence": 0.8, "evidence": [], "message": "The left knee goes past straight."},
            {"id": "weight_shift", "status": "not_assessable", "severity": "none", "side": None,
             "value": None, "unit": "%", "threshold": None, "confidence": 0.0, "evidence": [],
             "message": "Needs a front view."},
        ],
        "gait": None,
        "explanations": [{"title": "Hollow back and knees pressed back", "text": "May mean..."}],
        "red_flags": [],
    }


def _info_strings(pdf: bytes) -> str:
    """The document-information dictionary's strings, decoded (UTF-16 or Latin-1)."""
    out = []
    for raw in re.findall(rb"/(?:Title|Subject|Keywords) \((.*?)\)(?=\s*(?:/|>>))", pdf, re.S):
        raw = raw.replace(rb"\(", b"(").replace(rb"\)", b")").replace(rb"\\", b"\\")
        if raw.startswith(b"\xfe\xff"):
            out.append(raw[2:].decode("utf-16-be", "replace"))
        else:
            out.append(raw.decode("latin-1"))
    for hexed in re.findall(rb"/(?:Title|Subject|Keywords) <([0-9A-Fa-f]+)>", pdf):
        data = bytes.fromhex(hexed.decode())
        utf16 = data.startswith(b"\xfe\xff")
        out.append(data[2:].decode("utf-16-be") if utf16 else data.decode("latin-1"))
    return "\n".join(out)


def _count_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def _has_image(pdf: bytes) -> bool:
    return b"/Subtype /Image" in pdf


def test_session_pdf_parses_and_names_patient_and_findings() -> None:
    frame = np.zeros((120, 80, 3), np.uint8)
    frame[20:100, 30:50] = 255
    pdf = session_pdf(
        "P-0042",
        [PdfStep("Standing, side-on", _report(), [("left knee -8.2 deg", frame)]),
         PdfStep("Walking, side-on", _report("not_detected"))],
        symptoms_lines=["Which calf hurts? left"],
        red_flags=[{"title": "Possible clot", "urgency_label": "See a doctor today",
                    "message": "Swollen calf."}],
        note="Patient cycles daily.",
    )
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    info = _info_strings(pdf)
    assert "P-0042" in info
    assert FINDING_TITLES["knee_hyperextension"] in info
    assert FINDING_TITLES["weight_shift"] in info
    assert _has_image(pdf)
    assert _count_pages(pdf) >= 1


def test_analysis_pdf_without_images_has_none() -> None:
    pdf = analysis_pdf(_report(), source_name="walk.mp4")
    assert pdf.startswith(b"%PDF-")
    assert FINDING_TITLES["knee_hyperextension"] in _info_strings(pdf)
    assert not _has_image(pdf)


def test_long_session_flows_onto_more_pages() -> None:
    frames = [(f"frame {i}", np.full((300, 200, 3), i * 20, np.uint8)) for i in range(9)]
    short = session_pdf("P1", [PdfStep("Step", _report())])
    long = session_pdf("P1", [PdfStep(f"Step {i}", _report(), frames) for i in range(3)])
    assert _count_pages(long) > _count_pages(short)


def test_text_streams_are_compressed_page_content() -> None:
    # A sanity check that the content is real drawn text, not an empty page: the first
    # page's content stream inflates to text-showing operators.
    pdf = session_pdf("P1", [PdfStep("Step", _report())], note="note")
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    inflated = []
    for s in streams:
        try:
            inflated.append(zlib.decompress(s))
        except zlib.error:
            continue
    assert any(b" Tj" in s or b"TJ" in s for s in inflated)


# --------------------------------------------------------------------------------------------
# What the PDF says: every paragraph is recorded as it is drawn (text and colour)


CAMERA = {"roll_deg": -3.2, "roll_source": "floor contacts of the feet while walking",
          "off_axis_deg": 12.4, "off_axis_source": "spread of the shoulders and hips",
          "corrected": True, "notes": []}


def _uncertain_report() -> dict:
    report = _report("uncertain")
    report["schema_version"] = "2"
    report["findings"][0]["message"] = "The left knee may go a little past straight."
    report["summary"] = {"view": "side_left", "activity": "walking", "camera": dict(CAMERA)}
    report["gait"] = {"events": [], "cadence_steps_per_min": 112.0, "kind": "walking",
                      "reliable": False,
                      "unreliable_reason": "Too few steps were seen to time the gait."}
    report["explanations"] = [{"title": "Hollow back with the knees pushed back",
                               "text": "The camera possibly saw knees pushed back beyond "
                                       "straight, but ... worth checking by eye.",
                               "relevance": "uncertain_findings"}]
    return report


def _drawn(monkeypatch, make_pdf) -> tuple[bytes, list[tuple[str, tuple]]]:
    from reports import pdf as pdf_module

    drawn: list[tuple[str, tuple]] = []
    original = pdf_module._Doc.para

    def spy(self, text, size=10, bold=False, color=(0, 0, 0)):  # noqa: ANN001, ANN202
        drawn.append((text, tuple(color)))
        return original(self, text, size=size, bold=bold, color=color)

    monkeypatch.setattr(pdf_module._Doc, "para", spy)
    return make_pdf(), drawn


def test_an_uncertain_finding_is_never_printed_as_seen(monkeypatch) -> None:
    from reports import pdf as pdf_module

    pdf, drawn = _drawn(monkeypatch, lambda: analysis_pdf(_uncertain_report()))
    texts = [text for text, _ in drawn]
    title = FINDING_TITLES["knee_hyperextension"]
    colour = next(c for text, c in drawn if text == title)
    assert colour == pdf_module._AMBER != pdf_module._RED
    line = texts[texts.index(title) + 1]
    assert line.startswith("Uncertain — possibly present · moderate · left · measured -8.2°")
    assert any("worth checking by eye" in t for t in texts)
    assert not any(t.startswith("Seen") or "detected" in t.lower() for t in texts)
    assert f"{title} (uncertain)" in _info_strings(pdf)
    assert "(detected)" not in _info_strings(pdf)
    assert "Possibly: hollow back with the knees pushed back" in texts


def test_the_camera_line_and_an_unreliable_gaits_reason_replace_the_cadence(monkeypatch) -> None:
    _, drawn = _drawn(monkeypatch, lambda: analysis_pdf(_uncertain_report()))
    texts = [text for text, _ in drawn]
    assert ("Camera roll 3° (measured from the floor contacts of the feet while walking), "
            "corrected; 12° off the side axis.") in texts
    [summary] = [t for t in texts if t.startswith("activity:")]
    assert "gait timing: not reliable: too few steps were seen to time the gait" in summary
    assert "cadence" not in summary and "112" not in summary
    reliable = _uncertain_report()
    reliable["gait"].update(reliable=True, unreliable_reason=None)
    _, drawn = _drawn(monkeypatch, lambda: session_pdf("P1", [PdfStep("Walking", reliable)]))
    [summary] = [t for t, _ in drawn if t.startswith("activity:")]
    assert "cadence: 112 steps/min" in summary and "not reliable" not in summary


def test_stated_trousers_are_named_beside_the_camera_line(monkeypatch) -> None:
    report = _uncertain_report()
    report["summary"]["clothing_at_knees"] = "long_trousers"
    _, drawn = _drawn(monkeypatch, lambda: analysis_pdf(report))
    texts = [text for text, _ in drawn]
    assert "Clothing on the legs: long trousers; knee angles carry a larger error." in texts
    report["summary"]["clothing_at_knees"] = "shorts"
    _, drawn = _drawn(monkeypatch, lambda: analysis_pdf(report))
    assert not any(t.startswith("Clothing") for t, _ in drawn)


def test_a_report_without_camera_or_gait_keys_still_prints(monkeypatch) -> None:
    # Reports stored before version 2 have neither; they are read defensively.
    _, drawn = _drawn(monkeypatch, lambda: analysis_pdf(_report()))
    texts = [text for text, _ in drawn]
    assert not any(t.startswith("Camera roll") for t in texts)
    assert FINDING_TITLES["knee_hyperextension"] in texts


def test_explanations_on_uncertain_findings_never_come_before_clear_ones(monkeypatch) -> None:
    # A session joins several reports; whatever order they arrive in, the hedged one is last.
    hedged = {"title": "Hollow back", "text": "Possibly ...", "relevance": "uncertain_findings"}
    clear = {"title": "Knees kept bent", "text": "Measured ...", "relevance": "matches_findings"}
    _, drawn = _drawn(monkeypatch, lambda: session_pdf(
        "P1", [PdfStep("Step", _report())], explanations=[hedged, clear],
        red_flags=[{"title": "Possible clot", "urgency_label": "See a doctor today",
                    "message": "Swollen calf."}]))
    texts = [text for text, _ in drawn]
    assert texts.index("Knees kept bent") < texts.index("Possibly: hollow back")
    assert texts.index("Warning signs: see a doctor") < texts.index("Knees kept bent")


# --------------------------------------------------------------------------------------------
# The clinician's session PDF: page 1 summary table, one verdict per check from the step that
# assessed it, clinic fields, dates as people write them, the disclaimer once, third person


def _finding(fid: str, status: str, value, severity: str = "none", confidence: float = 0.9,
             threshold: float = 5.0, side=None, message: str = "") -> dict:
    return {"id": fid, "status": status, "severity": severity, "side": side, "value": value,
            "unit": "deg" if fid != "weight_shift" else "%", "threshold": threshold,
            "confidence": 0.0 if status == "not_assessable" else confidence, "evidence": [],
            "message": message or f"{fid} {status}."}


def _step_report(view: str, activity: str, findings: list[dict]) -> dict:
    return {"schema_version": "2", "summary": {"view": view, "activity": activity,
                                               "person_found": True},
            "measurements": {}, "findings": findings, "gait": None, "explanations": [],
            "red_flags": []}


SIDE = _step_report("side_left", "standing", [
    _finding("hollow_back", "not_detected", 0.2, confidence=0.77),
    _finding("knee_hyperextension", "detected", -15.5, "marked", 1.0, -5.0, "left"),
    _finding("bent_knee", "not_detected", -15.5, threshold=10.0, confidence=1.0),
    _finding("weight_shift", "not_assessable", None, threshold=59.0,
             message="Needs a front or back view: have the person face the camera squarely."),
])
FRONT = _step_report("front", "standing", [
    _finding("hollow_back", "not_assessable", None,
             message="Needs a side view: film the person side-on."),
    _finding("knee_hyperextension", "not_assessable", None, threshold=-5.0,
             message="Needs a side view: film the person side-on."),
    _finding("bent_knee", "not_assessable", None, threshold=10.0,
             message="Needs a side view: film the person side-on."),
    _finding("weight_shift", "detected", 78.2, "marked", 0.94, 59.0, "left"),
])


def _session_steps() -> list[PdfStep]:
    frame = np.zeros((120, 80, 3), np.uint8)
    frame[20:100, 30:50] = 255
    return [PdfStep("Standing, side-on", SIDE, [("knees pressed back", frame)],
                    key="standing_side"),
            PdfStep("Standing, facing the camera", FRONT, key="standing_front")]


def _drawn_pages(monkeypatch, make_pdf) -> tuple[bytes, list[tuple[int, str]]]:
    from reports import pdf as pdf_module

    drawn: list[tuple[int, str]] = []
    original = pdf_module._Doc.para

    def spy(self, text, size=10, bold=False, color=(0, 0, 0)):  # noqa: ANN001, ANN202
        drawn.append((self.page_no(), text))
        return original(self, text, size=size, bold=bold, color=color)

    monkeypatch.setattr(pdf_module._Doc, "para", spy)
    return make_pdf(), drawn


CLINICIAN_EXPLANATION = {
    "title": "Knees pushed back", "relevance": "matches_findings",
    "text": "The camera measured knees pushed back. You said both calves hurt; it is listed "
            "because your answers fit it.",
}


def _clinician_pdf() -> bytes:
    return session_pdf(
        "P-0042", _session_steps(), created_at="2026-11-30T21:40:00",
        symptoms_lines=["Which calf hurts? both"], explanations=[CLINICIAN_EXPLANATION],
        note="Recheck in 6 weeks.", clinic="Physio am Markt", clinician="A. Weber",
    )


def test_page_one_is_the_summary_with_one_verdict_per_check(monkeypatch) -> None:
    from reports.pdf import summary_table_rows
    from reports.verdicts import session_verdicts

    verdicts = session_verdicts({"standing_side": SIDE, "standing_front": FRONT})
    rows = summary_table_rows(verdicts, ["standing_side", "standing_front"])
    assert rows[0] == ["Check (threshold)", "Session verdict", "Standing, side-on",
                       "Standing, facing the camera"]
    by_check = {r[0].split("\n")[0]: r for r in rows[1:]}
    hollow = by_check[FINDING_TITLES["hollow_back"]]
    assert "threshold 5.0°" in hollow[0]
    # the side-on step measured it: its "not seen" is the verdict, not the front's refusal
    assert hollow[1].startswith("Not seen\n0.2°") and "from: Standing, side-on" in hollow[1]
    assert hollow[3] == "not assessable"
    knee = by_check[FINDING_TITLES["knee_hyperextension"]]
    assert knee[1].startswith("Seen\n-15.5°, marked\nconfidence 100 %")
    weight = by_check[FINDING_TITLES["weight_shift"]]
    assert "from: Standing, facing the camera" in weight[1]
    motion = next(r for name, r in by_check.items() if "arm swing" in name)
    assert motion[1] == "not recorded"  # no walking step: not "not assessable"
    only_side = summary_table_rows(session_verdicts({"standing_side": SIDE}), ["standing_side"])
    weight_alone = next(r for r in only_side if r[0].startswith(FINDING_TITLES["weight_shift"]))
    assert weight_alone[1] == "not recorded" and weight_alone[2] == "not assessable"

    _, drawn = _drawn_pages(monkeypatch, _clinician_pdf)
    page_of = {text: page for page, text in drawn}
    assert page_of["Summary"] == 1 and page_of["Symptoms reported"] == 1
    assert page_of["Standing, side-on"] == 2  # the steps' details after the summary page
    texts = [text for _, text in drawn]
    assert "Patient code: P-0042    Date: 30 Nov 2026, 21:40" in texts
    assert "Clinic: Physio am Markt    Clinician: A. Weber" in texts
    assert not any("2026-11-30" in t for t in texts)
    assert sum(t == DISCLAIMER for t in texts) == 1  # the disclaimer once
    # a step lists the checks it measured or is meant for, not every other "not assessable"
    side_at, front_at = texts.index("Standing, side-on"), texts.index(
        "Standing, facing the camera")
    assert FINDING_TITLES["weight_shift"] not in texts[side_at:front_at]
    assert FINDING_TITLES["hollow_back"] not in texts[front_at:]
    assert not any("would need" in t or "could not check" in t for t in texts)


def test_explanations_in_the_clinicians_pdf_are_about_the_patient(monkeypatch) -> None:
    _, drawn = _drawn_pages(monkeypatch, _clinician_pdf)
    body = next(t for _, t in drawn if t.startswith("The camera measured knees pushed back"))
    assert "The patient said both calves hurt" in body
    assert "the patient's answers" in body
    assert " you" not in body.lower().replace("your", "") and "your" not in body.lower()


def test_patient_handout_is_short_and_plain(monkeypatch) -> None:
    from reports.pdf import HANDOUT_DISCLAIMER, patient_handout_pdf
    from reports.verdicts import session_verdicts

    verdicts = session_verdicts({"standing_side": SIDE, "standing_front": FRONT})
    explanations = [{"title": "Knees pushed back", "relevance": "matches_findings",
                     "text": "...", "advice": "Watch whether you lock your knees. If the "
                     "pain lasts, see a doctor."},
                    {"title": "Weight", "relevance": "matches_findings", "text": "...",
                     "advice": "Spread your weight evenly. If the pain lasts, see a doctor."}]
    pdf, drawn = _drawn_pages(monkeypatch, lambda: patient_handout_pdf(
        "P-0042", verdicts, created_at="2026-11-30T21:40:00", explanations=explanations,
        red_flags=[{"title": "Possible clot", "urgency_label": "See a doctor today",
                    "message": "Swollen calf."}], clinician="A. Weber"))
    assert _count_pages(pdf) == 1
    texts = [t for _, t in drawn]
    assert texts.index("Please see a doctor") < texts.index("What we looked at")
    assert "• Knees pushed back past straight: seen (a lot), left side" in texts
    assert "• Upper body leaning back (hollow back): not seen" in texts
    assert any(t.endswith("not checked this time") for t in texts)  # no walking step
    assert not any("threshold" in t or "confidence" in t for t in texts)
    advice = [t for t in texts if t.startswith("• Watch") or t.startswith("• Spread")]
    assert sum("If the pain lasts" in t for t in advice) == 1  # a shared sentence once
    assert texts.count(HANDOUT_DISCLAIMER) == 1
    assert "Date: 30 Nov 2026    Your physiotherapist: A. Weber" in texts


def test_page_one_renders(tmp_path) -> None:
    """Page 1 rendered with pdftoppm into test-artifacts (looked at by people)."""
    from pdf_pages import render_page

    rgb = render_page(_clinician_pdf(), 1, tmp_path, "session-pdf-page1.png", dpi=80)
    pixels = rgb @ np.array([0.299, 0.587, 0.114])  # grey, as PIL's "L"
    assert pixels.shape[0] > pixels.shape[1] > 500  # A4 portrait
    assert (pixels < 128).mean() > 0.01  # text and table lines, not a blank page


def test_values_corrected_by_the_clinician_are_marked_with_their_originals(monkeypatch) -> None:
    from reports.wording import correction_rows

    report = _uncertain_report()
    report["corrections"] = {
        "label": "corrected by the clinician",
        "landmarks": [{"frame_index": 0, "landmark": 25, "name": "left_knee", "x_px": 431.5,
                       "y_px": 628.9, "original_x_px": 391.5, "original_y_px": 628.9}],
        "measurements": [{"name": "knee_flexion_left_deg", "field": "median",
                          "original": 3.28, "corrected": -8.2, "unit": "deg"},
                         {"name": "hip_extension_left_deg", "field": "median",
                          "original": 1.01, "corrected": 1.04, "unit": "deg"}],
        "findings": [{"id": "knee_hyperextension", "field": "status",
                      "original": "not_detected", "corrected": "uncertain"}],
        "frame_values": []}
    rows = correction_rows(report)
    # The hip moved past the shown precision only: it stays in the JSON, not in the table.
    assert [r[1:] for r in rows] == [("not detected", "uncertain"), ("+3.3°", "-8.2°")]
    _, drawn = _drawn(monkeypatch, lambda: analysis_pdf(report))
    texts = [text for text, _ in drawn]
    assert "Corrected by the clinician: left knee moved. The findings above hold the " \
           "corrected values." in texts
    _, plain = _drawn(monkeypatch, lambda: analysis_pdf(_uncertain_report()))
    assert not any("Corrected by the clinician" in text for text, _ in plain)
