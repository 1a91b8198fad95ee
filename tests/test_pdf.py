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
from reports.wording import FINDING_TITLES


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
