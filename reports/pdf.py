"""PDF reports (fpdf2) for one analysis or a whole screening session.

No Streamlit import: the command line can reuse it. It lays out what the engine reported
(findings, measurements, explanations, red flags) and the key frames the caller hands in;
it computes nothing.

Example::

    pdf_bytes = analysis_pdf(report_dict, title="Walking video")
    Path("report.pdf").write_bytes(pdf_bytes)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from fpdf import FPDF
from PIL import Image

from .wording import (
    DISCLAIMER,
    UNCERTAIN_NOTE,
    camera_line,
    explanation_title,
    finding_summary_line,
    finding_title,
    fmt_number,
    measurement_label,
    measurement_unit,
    red_flag_text,
    sorted_explanations,
    sorted_findings,
    summary_parts,
    text_of,
)

# A Unicode TrueType font if the system has one (degree signs, dashes, accents); otherwise
# the built-in Helvetica with text folded to Latin-1.
_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
_RED = (170, 20, 20)
_AMBER = (190, 110, 0)  # uncertain findings: never in the red of a seen one
_GREY = (90, 90, 90)
_TITLE_COLOURS = {"detected": _RED, "uncertain": _AMBER}


@dataclass
class PdfStep:
    """One protocol step (or the single analysis) as it goes into the PDF."""

    title: str
    report: dict[str, Any]
    # (caption, image) pairs; image is an RGB numpy array or an image file path.
    images: list[tuple[str, Any]] = field(default_factory=list)


class _Doc(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)
        self.unicode = self._load_font()

    def _load_font(self) -> bool:
        for folder in _FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.is_file() and bold.is_file():
                self.add_font("Body", "", str(regular))
                self.add_font("Body", "B", str(bold))
                return True
        return False

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font("Body" if self.unicode else "Helvetica", "B" if bold else "", size)

    def clean(self, text: str) -> str:
        if self.unicode:
            return text
        text = text.replace("—", "-").replace("–", "-").replace("·", "|").replace("’", "'")
        return text.encode("latin-1", "replace").decode("latin-1")

    def para(self, text: str, size: float = 10, bold: bool = False, color=(0, 0, 0)) -> None:
        self.font(size, bold)
        self.set_text_color(*color)
        self.multi_cell(0, size * 0.5, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: float = 14) -> None:
        self.ln(2)
        self.para(text, size=size, bold=True)
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-13)
        self.font(7.5)
        self.set_text_color(*_GREY)
        self.cell(0, 5, self.clean(f"{self._footer_text}   page {self.page_no()}"), align="C")
        self.set_text_color(0, 0, 0)


def _as_pil(image: Any) -> Image.Image | None:
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    if isinstance(image, np.ndarray) and image.ndim == 3:
        return Image.fromarray(np.ascontiguousarray(image[..., :3]).astype(np.uint8))
    if isinstance(image, str | Path) and Path(image).is_file():
        with Image.open(image) as im:
            return im.convert("RGB")
    return None


def _images_row(doc: _Doc, images: Sequence[tuple[str, Any]], per_row: int = 3) -> None:
    usable_w = doc.w - doc.l_margin - doc.r_margin
    gap = 4.0
    cell_w = (usable_w - gap * (per_row - 1)) / per_row
    for start in range(0, len(images), per_row):
        row = [(c, _as_pil(i)) for c, i in images[start : start + per_row]]
        row = [(c, im) for c, im in row if im is not None]
        if not row:
            continue
        heights = [cell_w * im.height / im.width for _, im in row]
        row_h = min(max(heights), 90.0)
        if doc.get_y() + row_h + 10 > doc.h - doc.b_margin:
            doc.add_page()
        y0 = doc.get_y()
        for k, (caption, im) in enumerate(row):
            x = doc.l_margin + k * (cell_w + gap)
            scale = min(cell_w / im.width, row_h / im.height)
            doc.image(im, x=x, y=y0, w=im.width * scale, h=im.height * scale)
            doc.set_xy(x, y0 + row_h + 1)
            doc.font(7.5)
            doc.multi_cell(cell_w, 3.5, doc.clean(caption), new_x="RIGHT", new_y="TOP")
        doc.set_xy(doc.l_margin, y0 + row_h + 9)


def _findings(doc: _Doc, report: dict[str, Any]) -> None:
    findings = sorted_findings(report.get("findings") or [])
    if not findings:
        doc.para("No findings were reported for this recording.", color=_GREY)
        return
    for finding in findings:
        colour = _TITLE_COLOURS.get(finding.get("status", ""), (0, 0, 0))
        doc.para(finding_title(finding), size=11, bold=True, color=colour)
        doc.para(finding_summary_line(finding), size=9, color=_GREY)
        if finding.get("message"):
            doc.para(str(finding["message"]), size=9.5)
        if finding.get("status") == "uncertain":
            doc.para(UNCERTAIN_NOTE, size=9, color=_AMBER)
        doc.ln(1.5)


def _measurements(doc: _Doc, report: dict[str, Any]) -> None:
    measurements = report.get("measurements") or {}
    rows = []
    for name, stats in measurements.items():
        if isinstance(stats, dict):
            unit = measurement_unit(name, stats)
            rows.append((measurement_label(name), fmt_number(stats.get("median"), unit)))
    if not rows:
        return
    doc.para("Measurements (median over the steady frames)", size=10, bold=True)
    doc.font(9)
    with doc.table(
        col_widths=(120, 50), text_align=("LEFT", "RIGHT"), first_row_as_headings=False
    ) as table:
        for label, value in rows:
            r = table.row()
            r.cell(doc.clean(label))
            r.cell(doc.clean(value))
    doc.ln(2)


def _summary_line(report: dict[str, Any]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in summary_parts(report))


def _red_flags(doc: _Doc, red_flags: Sequence[Any]) -> None:
    if not red_flags:
        return
    doc.heading("Warning signs: see a doctor", size=13)
    for item in red_flags:
        title, body = red_flag_text(item)
        doc.para(f"• {title}: {body}" if title else f"• {body}", size=10, bold=True, color=_RED)
    doc.ln(2)


def _explanations(doc: _Doc, explanations: Sequence[Any]) -> None:
    if not explanations:
        return
    doc.heading("What the findings may mean", size=13)
    for item in sorted_explanations(list(explanations)):
        _, body = text_of(item)
        title = explanation_title(item)
        if title:
            doc.para(title, size=10, bold=True)
        if body:
            doc.para(body, size=9.5)
        doc.ln(1)


def _step(doc: _Doc, step: PdfStep) -> None:
    doc.heading(step.title, size=13)
    line = _summary_line(step.report)
    if line:
        doc.para(line, size=9, color=_GREY)
    camera = camera_line(step.report)
    if camera:
        doc.para(camera, size=9, color=_GREY)
    _findings(doc, step.report)
    _measurements(doc, step.report)
    if step.images:
        _images_row(doc, step.images)


def _keywords(reports: Sequence[dict[str, Any]]) -> str:
    # Finding titles in the document metadata: searchable by file managers, and checkable
    # without decoding the embedded font's glyph ids.
    titles: list[str] = []
    for report in reports:
        for finding in report.get("findings") or []:
            t = f"{finding_title(finding)} ({finding.get('status', '')})"
            if t not in titles:
                titles.append(t)
    return "; ".join(titles)


def _collect(steps: Sequence[PdfStep], key: str) -> list[Any]:
    seen: list[Any] = []
    for step in steps:
        for item in step.report.get(key) or []:
            if item not in seen:
                seen.append(item)
    return seen


def session_pdf(
    patient_code: str,
    steps: Sequence[PdfStep],
    *,
    created_at: str | None = None,
    symptoms_lines: Sequence[str] = (),
    red_flags: Sequence[Any] | None = None,
    explanations: Sequence[Any] | None = None,
    note: str = "",
    title: str = "Posture screening report",
) -> bytes:
    """The combined session report: red flags first, then each step, then explanations."""
    when = created_at or datetime.now().isoformat(timespec="minutes")
    doc = _Doc(f"{title} · patient {patient_code} · {when}")
    doc.set_title(title)
    doc.set_subject(f"patient {patient_code}")
    doc.set_keywords(_keywords([s.report for s in steps]))
    doc.set_creator("posture analyser (runs offline)")
    doc.add_page()
    doc.para(title, size=18, bold=True)
    doc.para(f"Patient code: {patient_code}    Date: {when}", size=10)
    doc.ln(2)
    flags = list(red_flags) if red_flags is not None else _collect(steps, "red_flags")
    _red_flags(doc, flags)
    if symptoms_lines:
        doc.heading("Symptoms reported", size=13)
        for line in symptoms_lines:
            doc.para(f"• {line}", size=9.5)
    for step in steps:
        _step(doc, step)
    expl = list(explanations) if explanations is not None else _collect(steps, "explanations")
    _explanations(doc, expl)
    if note.strip():
        doc.heading("Physiotherapist's note", size=13)
        doc.para(note.strip(), size=10)
    doc.ln(3)
    doc.para(DISCLAIMER, size=8.5, color=_GREY)
    return bytes(doc.output())


def analysis_pdf(
    report: dict[str, Any],
    *,
    title: str = "Posture analysis",
    source_name: str = "",
    images: Sequence[tuple[str, Any]] = (),
) -> bytes:
    """A single analysis (one video or photo) as a PDF."""
    when = datetime.now().isoformat(timespec="minutes")
    doc = _Doc(f"{title} · {when}")
    doc.set_title(title)
    doc.set_subject(source_name or title)
    doc.set_keywords(_keywords([report]))
    doc.set_creator("posture analyser (runs offline)")
    doc.add_page()
    doc.para(title, size=18, bold=True)
    if source_name:
        doc.para(f"Recording: {source_name}    Date: {when}", size=10)
    _red_flags(doc, report.get("red_flags") or [])
    _step(doc, PdfStep("Findings", report, list(images)))
    _explanations(doc, report.get("explanations") or [])
    doc.ln(3)
    doc.para(DISCLAIMER, size=8.5, color=_GREY)
    return bytes(doc.output())
