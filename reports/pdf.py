"""PDF reports (fpdf2) for one analysis or a whole screening session.

No Streamlit import: the command line can reuse it. It lays out what the engine reported
(findings, measurements, explanations, red flags) and the key frames the caller hands in;
it computes nothing.

Example::

    pdf_bytes = analysis_pdf(report_dict, title="Walking video")
    Path("report.pdf").write_bytes(pdf_bytes)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from fpdf import FPDF
from PIL import Image

from .before_after import SHORT_NAMES, StepComparison, Trend, trend_y_range
from .compare import VerdictChange
from .gait_cycle import draw_gait_cycle
from .verdicts import STEP_BY_KEY, CheckVerdict, session_verdicts
from .wording import (
    CONFIDENCE_MEANING,
    DISCLAIMER,
    SEVERITY_MEANING,
    UNCERTAIN_MEANING,
    UNCERTAIN_NOTE,
    camera_line,
    clothing_line,
    correction_rows,
    explanation_title,
    finding_summary_line,
    finding_title,
    fmt_number,
    human_datetime,
    measurement_label,
    measurement_unit,
    moved_landmarks,
    red_flag_text,
    sorted_explanations,
    sorted_findings,
    summary_parts,
    text_of,
    third_person,
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
    key: str = ""  # the protocol step ("standing_side", ...); the title stands in without it


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


def _findings(doc: _Doc, report: dict[str, Any], only: set[str] | None = None) -> None:
    """The report's findings, seen ones first; ``only`` keeps those ids (a session step
    lists the checks it is meant for and any other it measured, not every 'not
    assessable')."""
    findings = sorted_findings(report.get("findings") or [])
    if only is not None:
        findings = [f for f in findings if f.get("id") in only]
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


def _corrections(doc: _Doc, report: dict[str, Any]) -> None:
    """The clinician's corrections: which landmarks were moved and every value that changed,
    original beside corrected (the findings above already hold the corrected values)."""
    if not report.get("corrections"):
        return
    doc.para(f"Corrected by the clinician: {moved_landmarks(report)} moved. The findings "
             "above hold the corrected values.", size=9.5, bold=True, color=_AMBER)
    rows = correction_rows(report)
    if not rows:
        doc.ln(1.5)
        return
    doc.font(9)
    with doc.table(col_widths=(84, 36, 50), text_align=("LEFT", "RIGHT", "RIGHT")) as table:
        head = table.row()
        for text in ("value", "original", "corrected by the clinician"):
            head.cell(text)
        for label, original, corrected in rows:
            r = table.row()
            for text in (label, original, corrected):
                r.cell(doc.clean(text))
    doc.ln(2)


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


def _explanations(doc: _Doc, explanations: Sequence[Any], clinician: bool = False) -> None:
    """The engine's explanations; ``clinician`` writes them about the patient, not to them."""
    if not explanations:
        return
    doc.heading("What the findings may mean", size=13)
    for item in sorted_explanations(list(explanations)):
        _, body = text_of(item)
        title = explanation_title(item)
        if title:
            doc.para(title, size=10, bold=True)
        if body:
            doc.para(third_person(body) if clinician else body, size=9.5)
        doc.ln(1)


def _step(doc: _Doc, step: PdfStep, only: set[str] | None = None) -> None:
    doc.heading(step.title, size=13)
    line = _summary_line(step.report)
    if line:
        doc.para(line, size=9, color=_GREY)
    camera = camera_line(step.report)
    if camera:
        doc.para(camera, size=9, color=_GREY)
    clothing = clothing_line(step.report)
    if clothing:
        doc.para(clothing, size=9, color=_GREY)
    _findings(doc, step.report, only)
    _corrections(doc, step.report)
    _measurements(doc, step.report)
    if step.images:
        _images_row(doc, step.images)
    draw_gait_cycle(doc, step.report)  # a reliable walk: cycle plots and the table


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


# --- the session's summary table --------------------------------------------------------------

_STATUS_SHORT = {
    "detected": "Seen",
    "uncertain": "Possibly (uncertain)",
    "not_detected": "Not seen",
    "not_assessable": "not assessable",
}
_CELL_COLOURS = {"detected": _RED, "uncertain": _AMBER, "not_assessable": _GREY}
_CHOSEN_FILL = (236, 242, 246)


def _cell_text(finding: dict[str, Any] | None) -> str:
    """A table cell: status, then value and severity, then confidence (one line each)."""
    if not finding:
        return "not recorded"
    status = str(finding.get("status") or "not_assessable")
    if status == "not_assessable":
        return _STATUS_SHORT[status]
    lines = [_STATUS_SHORT.get(status, status)]
    value = fmt_number(finding.get("value"), finding.get("unit"))
    severity = finding.get("severity")
    if status in ("detected", "uncertain") and severity and severity != "none":
        value += f", {severity}"
    lines.append(value)
    confidence = finding.get("confidence")
    if confidence is not None:
        lines.append(f"confidence {100 * float(confidence):.0f} %")
    return "\n".join(lines)


def summary_table_rows(
    verdicts: Sequence[CheckVerdict], step_keys: Sequence[str]
) -> list[list[str]]:
    """The page-1 table as text: a header, then per check its name and threshold, the
    session's verdict (and the step it rests on), and each step's reading."""
    header = ["Check (threshold)", "Session verdict", *[_step_name(k) for k in step_keys]]
    rows = [header]
    for v in verdicts:
        f = v.finding
        threshold = f.get("threshold")
        if threshold is None:
            threshold = next((r.finding.get("threshold") for r in v.readings
                              if r.finding.get("threshold") is not None), None)
        unit = f.get("unit") or next((r.finding.get("unit") for r in v.readings), None)
        name = v.title + (f"\n(threshold {fmt_number(threshold, unit)})"
                          if threshold is not None else "")
        verdict = _cell_text(f) if v.status != "not_assessable" else (
            "not assessable" if v.recorded else "not recorded")
        if v.step_key and v.status != "not_assessable":
            verdict += f"\nfrom: {_step_name(v.step_key)}"
        if v.corrected:
            verdict += "\ncorrected by the clinician"
        by_step = {r.step_key: r.finding for r in v.readings}
        # A recorded step without this check (an older report): a dash, not "not recorded".
        rows.append([name, verdict, *[_cell_text(by_step[k]) if k in by_step else "—"
                                      for k in step_keys]])
    return rows


def _step_name(step_key: str) -> str:
    spec = STEP_BY_KEY.get(step_key)
    return spec.title if spec else step_key


def _summary_table(doc: _Doc, verdicts: Sequence[CheckVerdict],
                   step_keys: Sequence[str]) -> None:
    from fpdf.fonts import FontFace

    rows = summary_table_rows(verdicts, step_keys)
    usable = doc.w - doc.l_margin - doc.r_margin
    first, second = 42.0, 36.0
    rest = (usable - first - second) / max(1, len(step_keys))
    widths = (first, second, *([rest] * len(step_keys)))
    doc.font(8)
    heading = FontFace(emphasis="B", fill_color=(220, 228, 234))
    with doc.table(col_widths=widths, line_height=3.6, text_align="LEFT",
                   headings_style=heading, padding=1.2) as table:
        head = table.row()
        for text in rows[0]:
            head.cell(doc.clean(text))
        for v, cells in zip(verdicts, rows[1:], strict=True):
            row = table.row()
            row.cell(doc.clean(cells[0]), style=FontFace(emphasis="B"))
            colour = _CELL_COLOURS.get(v.status, (0, 0, 0))
            row.cell(doc.clean(cells[1]),
                     style=FontFace(emphasis="B", color=colour, fill_color=_CHOSEN_FILL))
            by_step = {r.step_key: r for r in v.readings}
            for key, text in zip(step_keys, cells[2:], strict=True):
                reading = by_step.get(key)
                status = reading.status if reading else "not_assessable"
                chosen = key == v.step_key and v.status != "not_assessable"
                row.cell(doc.clean(text), style=FontFace(
                    emphasis="B" if chosen else "",
                    color=_CELL_COLOURS.get(status, (0, 0, 0)),
                    fill_color=_CHOSEN_FILL if chosen else None,
                ))
    doc.ln(1.5)
    doc.para(
        "The session verdict for each check comes from the step that can assess it (shaded); "
        "among several, the most confident reading, a reading past the threshold counting when "
        "its confidence is at least 50 %. " + CONFIDENCE_MEANING,
        size=7.5, color=_GREY,
    )
    doc.para(UNCERTAIN_MEANING + " " + SEVERITY_MEANING, size=7.5, color=_GREY)


# --- the comparison page ---------------------------------------------------------------------

_POINT_COLOURS = {"detected": _RED, "uncertain": _AMBER}
_NOT_SEEN_COLOUR = (40, 110, 60)
_LINE_COLOUR = (60, 60, 60)
_THRESHOLD_COLOUR = (179, 107, 0)
MAX_PAGE_TRENDS = 8  # two rows of four small charts: the page stays one page


@dataclass
class ComparisonPage:
    """Two sessions of the patient side by side, for one page of the session PDF: their
    key frames aligned at the feet (``reports.before_after``), each check's change
    (``reports.compare.compare_verdicts``) and each check's trend across all sessions."""

    before_label: str  # "no. 3, 1 Nov 2026, 10:00"
    after_label: str
    steps: list[StepComparison] = field(default_factory=list)
    changes: list[VerdictChange] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)


def _comparison_pictures(doc: _Doc, page: ComparisonPage, max_h: float = 66.0) -> None:
    steps = page.steps[:3]
    if not steps:
        doc.para("No step with a key frame was recorded in both sessions.", size=9,
                 color=_GREY)
        return
    usable = doc.w - doc.l_margin - doc.r_margin
    group_gap, pic_gap = 6.0, 2.0
    group_w = (usable - group_gap * (len(steps) - 1)) / len(steps)
    pic_w = (group_w - pic_gap) / 2
    ims = [im for s in steps for im in s.frames.images]
    ratio = max(im.height / im.width for im in ims)
    pic_h = min(max_h, pic_w * ratio)
    y0 = doc.get_y()
    bottom = y0
    for k, step in enumerate(steps):
        x0 = doc.l_margin + k * (group_w + group_gap)
        doc.set_xy(x0, y0)
        doc.font(8.5, bold=True)
        doc.multi_cell(group_w, 4, doc.clean(step.title), new_x="LEFT", new_y="NEXT",
                       align="L")
        doc.font(6.5)
        doc.set_text_color(*_GREY)
        note = step.plumb if step.frames.aligned else "not aligned (see below)"
        doc.multi_cell(group_w, 3, doc.clean(note), new_x="LEFT", new_y="NEXT", align="L")
        doc.set_text_color(0, 0, 0)
        top = doc.get_y() + 1
        captions = ((page.before_label, step.before_lines), (page.after_label, step.after_lines))
        for j, (im, (when, lines)) in enumerate(zip(step.frames.images, captions, strict=True)):
            x = x0 + j * (pic_w + pic_gap)
            scale = min(pic_w / im.width, pic_h / im.height)
            w, h = im.width * scale, im.height * scale
            doc.image(im, x=x + (pic_w - w) / 2, y=top, w=w, h=h)
            doc.set_xy(x, top + pic_h + 1)
            doc.font(6.5, bold=True)
            doc.multi_cell(pic_w, 2.8, doc.clean(("Before: " if j == 0 else "Now: ") + when),
                           new_x="LEFT", new_y="NEXT", align="L")
            doc.font(6.2)
            for line in lines:
                doc.multi_cell(pic_w, 2.7, doc.clean(line), new_x="LEFT", new_y="NEXT",
                               align="L")
            bottom = max(bottom, doc.get_y())
    doc.set_xy(doc.l_margin, bottom + 1.5)
    notes = [s.frames.note for s in steps if s.frames.note]
    for note in dict.fromkeys(notes):
        doc.para(note, size=7, color=_AMBER)


def _comparison_table(doc: _Doc, changes: list[VerdictChange]) -> None:
    from fpdf.fonts import FontFace

    if not changes:
        return
    doc.font(7.5)
    heading = FontFace(emphasis="B", fill_color=(220, 228, 234))
    with doc.table(col_widths=(50, 52, 52, 26), line_height=3.3, text_align="LEFT",
                   headings_style=heading, padding=0.9) as table:
        head = table.row()
        for text in ("Check", "Before", "Now", "Change"):
            head.cell(text)
        for row in changes:
            r = table.row()
            style = FontFace(emphasis="B") if row.changed else None
            r.cell(doc.clean(row.item), style=style)
            r.cell(doc.clean(row.before))
            r.cell(doc.clean(row.after), style=style)
            r.cell(doc.clean(row.change + (f"\n({row.note})" if row.note else "")),
                   style=style)
    doc.ln(1)
    doc.para("Bold: the check's verdict or value changed. Values are subtracted only when "
             "both sessions judged the check in the same step.", size=7, color=_GREY)


def _trend_box(doc: _Doc, trend: Trend, x: float, y: float, w: float, h: float) -> None:
    """One check's values across the sessions as a small line chart drawn with fpdf2
    (no plotting library needed): the threshold dashed, each session a dot coloured by its
    verdict, the value written beside it."""
    doc.set_xy(x, y)
    doc.font(6.8, bold=True)
    title = SHORT_NAMES.get(trend.check_id, trend.title)
    doc.multi_cell(w, 2.9, doc.clean(title), new_x="LEFT", new_y="NEXT", align="L")
    doc.font(6)
    doc.set_text_color(*_GREY)
    doc.multi_cell(w, 2.6, doc.clean(trend.step_title), new_x="LEFT", new_y="NEXT")
    doc.set_text_color(0, 0, 0)
    top = doc.get_y() + 1.5
    left, right = x + 8.0, x + w - 2.0
    bottom = y + h - 5.0
    y_range = trend_y_range(trend)
    doc.set_draw_color(170, 170, 170)
    doc.set_line_width(0.15)
    doc.rect(left, top, right - left, bottom - top)
    if y_range is None or bottom - top < 5:
        return
    lo, hi = y_range
    hi += 0.15 * (hi - lo)  # room above the highest dot for its value

    def y_of(value: float) -> float:
        return bottom - (value - lo) / (hi - lo) * (bottom - top)

    doc.font(5.5)
    doc.set_text_color(*_GREY)
    for value in (lo, hi):
        doc.set_xy(x, y_of(value) - 1.2)
        doc.cell(left - x - 0.6, 2.4, doc.clean(fmt_number(value, trend.unit, 0)), align="R")
    n = len(trend.points)
    xs = [left + (right - left) * ((k + 0.5) / n) for k in range(n)]
    for cut in trend.thresholds:
        doc.set_draw_color(*_THRESHOLD_COLOUR)
        doc.set_line_width(0.25)
        with doc.local_context():
            doc.set_dash_pattern(dash=1.0, gap=0.8)
            doc.line(left, y_of(cut), right, y_of(cut))
        doc.set_text_color(*_THRESHOLD_COLOUR)
        doc.set_xy(left + 0.5, y_of(cut) - 2.5)
        doc.cell(20, 2.2, doc.clean(f"threshold {fmt_number(cut, trend.unit, 0)}"))
    doc.set_draw_color(*_LINE_COLOUR)
    doc.set_line_width(0.3)
    previous: tuple[float, float] | None = None
    for px, point in zip(xs, trend.points, strict=True):
        if point.value is None:
            previous = None  # not assessed that day: a gap, not a line through it
            continue
        here = (px, y_of(point.value))
        if previous is not None:
            doc.line(*previous, *here)
        previous = here
    for k, (px, point) in enumerate(zip(xs, trend.points, strict=True)):
        if n <= 4 or k in (0, n - 1):  # more dates than fit: the first and the last
            doc.set_text_color(*_GREY)
            doc.set_xy(px - 6, bottom + 0.4)
            doc.cell(12, 2.2, doc.clean(_day_month(point.label)), align="C")
        if point.value is None:
            continue
        colour = _POINT_COLOURS.get(point.status, _NOT_SEEN_COLOUR)
        doc.set_fill_color(*colour)
        doc.set_draw_color(*colour)
        py = y_of(point.value)
        doc.circle(x=px, y=py, radius=0.9, style="F")
        doc.set_text_color(*colour)
        doc.set_xy(px - 6, py - 3.3)
        doc.cell(12, 2.2, doc.clean(fmt_number(point.value, trend.unit)), align="C")
    doc.set_text_color(0, 0, 0)
    doc.set_draw_color(0, 0, 0)


def _day_month(label: str) -> str:
    """'1 Sep' of '1 Sep 2026, 10:00': the year is in the page's header."""
    return " ".join(label.split(",")[0].split()[:2])


def _meant(trend: Trend) -> bool:
    spec = STEP_BY_KEY.get(trend.step_key)
    return spec is not None and trend.check_id in spec.checks


def _comparison_trends(doc: _Doc, trends: list[Trend]) -> None:
    measured = [t for t in trends if t.values]
    # More than fit: the checks in the steps meant for them first, in the report's order.
    keep = sorted(measured, key=lambda t: not _meant(t))[:MAX_PAGE_TRENDS]
    shown = [t for t in measured if t in keep]
    if not shown:
        return
    usable = doc.w - doc.l_margin - doc.r_margin
    per_row, gap = 4, 3.0
    box_w = (usable - gap * (per_row - 1)) / per_row
    rows = (len(shown) + per_row - 1) // per_row
    # Below the charts: the heading above them (about 9 mm) and two lines of notes (8 mm).
    room = doc.h - doc.b_margin - doc.get_y() - 9 - 8
    box_h = max(24.0, min(40.0, room / rows - gap))
    doc.heading("Each check across all sessions", size=11)
    y0 = doc.get_y()
    for k, trend in enumerate(shown):
        row, col = divmod(k, per_row)
        _trend_box(doc, trend, doc.l_margin + col * (box_w + gap), y0 + row * (box_h + gap),
                   box_w, box_h)
    doc.set_xy(doc.l_margin, y0 + rows * (box_h + gap))
    doc.para("Dots: red seen, amber possibly (uncertain), green not seen; dashed: the check's "
             "threshold. One dot per session, from its stored report.", size=7, color=_GREY)
    if len(measured) > len(shown):
        doc.para("More checks were measured than fit on this page; the app shows them all.",
                 size=7, color=_GREY)


def comparison_page(doc: _Doc, page: ComparisonPage) -> None:
    """One page: the two sessions' key frames side by side (aligned at the feet, plumb line
    drawn), each check's change, and each check's trend across all sessions."""
    doc.add_page()
    doc.para("Compared with an earlier session", size=15, bold=True)
    doc.para(f"Before: session {page.before_label}    Now: session {page.after_label}",
             size=9.5)
    doc.ln(1.5)
    # Fewer trends leave room for larger pictures; the page stays one page either way.
    one_row = len([t for t in page.trends if t.values]) <= 4
    _comparison_pictures(doc, page, max_h=84.0 if one_row else 66.0)
    doc.heading("What changed", size=11)
    _comparison_table(doc, page.changes)
    _comparison_trends(doc, page.trends)


def _header_lines(patient_code: str, when: str, clinic: str, clinician: str) -> list[str]:
    lines = [f"Patient code: {patient_code}    Date: {when}"]
    who = "    ".join(t for t in (f"Clinic: {clinic}" if clinic else "",
                                  f"Clinician: {clinician}" if clinician else "") if t)
    if who:
        lines.append(who)
    return lines


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
    clinic: str = "",
    clinician: str = "",
    comparison: ComparisonPage | None = None,
) -> bytes:
    """The clinician's session report. Page 1: who and when, red flags, the summary table
    (check x step: value, threshold, severity, confidence; the session's verdict and the
    step it rests on), the symptoms. With ``comparison``, page 2 compares the session with
    an earlier one. Then each step with the checks it assessed, its key frames and
    measurements; the explanations written about the patient; the note; the disclaimer
    once."""
    when = human_datetime(created_at or datetime.now().astimezone())
    doc = _Doc(f"{title} · patient {patient_code} · {when}")
    doc.set_title(title)
    doc.set_subject(f"patient {patient_code}")
    doc.set_keywords(_keywords([s.report for s in steps]))
    doc.set_creator("posture analyser (runs offline)")
    if clinician:
        doc.set_author(clinician)
    doc.add_page()
    doc.para(title, size=18, bold=True)
    for line in _header_lines(patient_code, when, clinic, clinician):
        doc.para(line, size=10)
    doc.ln(2)
    flags = list(red_flags) if red_flags is not None else _collect(steps, "red_flags")
    _red_flags(doc, flags)
    keys = [step.key or step.title for step in steps]
    reports = {k: step.report for k, step in zip(keys, steps, strict=True)}
    verdicts = session_verdicts(reports)
    if steps:
        doc.heading("Summary", size=13)
        _summary_table(doc, verdicts, keys)
    if symptoms_lines:
        doc.heading("Symptoms reported", size=13)
        for line in symptoms_lines:
            doc.para(f"• {line}", size=9.5)
    if comparison is not None:
        comparison_page(doc, comparison)
    for i, (key, step) in enumerate(zip(keys, steps, strict=True)):
        if i == 0:
            doc.add_page()  # page 1 is the summary; the steps' details follow
        # The checks this step assessed, plus those it is meant for (with their reason).
        spec = STEP_BY_KEY.get(key)
        only = {f.get("id") for f in step.report.get("findings") or []
                if f.get("status") != "not_assessable"}
        only |= set(spec.checks) if spec else set()
        if spec is None and not only:
            only = None
        _step(doc, step, only)
    expl = list(explanations) if explanations is not None else _collect(steps, "explanations")
    _explanations(doc, expl, clinician=True)
    if note.strip():
        doc.heading("Physiotherapist's note", size=13)
        doc.para(note.strip(), size=10)
    doc.ln(3)
    doc.para(DISCLAIMER, size=8.5, color=_GREY)
    return bytes(doc.output())


# --- the patient's handout --------------------------------------------------------------------

PLAIN_NAMES = {
    "hollow_back": "Upper body leaning back (hollow back)",
    "knee_hyperextension": "Knees pushed back past straight",
    "bent_knee": "Knees staying bent",
    "weight_shift": "Standing more on one leg",
    "reduced_trunk_pelvis_motion": "Little swing of the arms, hips and upper body when walking",
}
PLAIN_RESULTS = {
    "detected": "seen",
    "uncertain": "possibly: your physiotherapist will look at it again",
    "not_detected": "not seen",
    "not_assessable": "not checked this time",
}
HANDOUT_DISCLAIMER = (
    "This sheet describes how you stood and walked in front of a camera. It is not a "
    "diagnosis. If the pain gets worse, or if you notice sudden, severe or stabbing pain, "
    "swelling, or pain at rest, see a doctor as soon as possible."
)


def _plain_result(verdict: CheckVerdict) -> str:
    text = PLAIN_RESULTS.get(verdict.status, verdict.status)
    severity = verdict.finding.get("severity")
    if verdict.status == "detected" and severity and severity != "none":
        text += f" ({'a lot' if severity == 'marked' else severity})"
    side = verdict.finding.get("side")
    if verdict.status in ("detected", "uncertain") and side in ("left", "right"):
        text += f", {side} side"
    return text


def patient_handout_pdf(
    patient_code: str,
    verdicts: Sequence[CheckVerdict],
    *,
    created_at: str | None = None,
    red_flags: Sequence[Any] = (),
    explanations: Sequence[Any] = (),
    clinic: str = "",
    clinician: str = "",
) -> bytes:
    """One short page for the patient, in plain words: warning signs first, what was looked
    at and what was seen, what may help, and that it is not a diagnosis."""
    when = human_datetime(created_at or datetime.now().astimezone(), with_time=False)
    title = "Your posture check"
    doc = _Doc(f"{title} · {when}")
    doc.set_title(title)
    doc.set_subject(f"patient {patient_code}")
    doc.set_keywords("; ".join(f"{PLAIN_NAMES.get(v.check_id, v.title)} ({v.status})"
                               for v in verdicts))
    doc.set_creator("posture analyser (runs offline)")
    doc.add_page()
    doc.para(title, size=18, bold=True)
    who = [f"Date: {when}"]
    if clinic:
        who.append(clinic)
    if clinician:
        who.append(f"Your physiotherapist: {clinician}")
    doc.para("    ".join(who), size=10)
    doc.ln(2)
    if red_flags:
        doc.heading("Please see a doctor", size=13)
        for item in red_flags:
            title_text, body = red_flag_text(item)
            doc.para(f"• {title_text}" if title_text else f"• {body}", size=11, bold=True,
                     color=_RED)
        doc.ln(1)
    doc.heading("What we looked at", size=13)
    for v in verdicts:
        colour = _TITLE_COLOURS.get(v.status, (0, 0, 0))
        doc.para(f"• {PLAIN_NAMES.get(v.check_id, v.title)}: {_plain_result(v)}", size=11,
                 color=colour if v.status != "not_assessable" else _GREY)
    advice: list[str] = []
    for item in sorted_explanations(list(explanations)):
        if isinstance(item, dict) and item.get("relevance") == "background":
            continue
        text = str(item.get("advice") or "") if isinstance(item, dict) else ""
        if text and text not in advice:
            advice.append(text)
    if advice:
        doc.heading("What may help", size=13)
        said: set[str] = set()
        for text in advice[:3]:
            # Advice items often end with the same sentence: say it once.
            sentences = [x for x in re.split(r"(?<=[.!?])\s+", text) if x and x not in said]
            said.update(sentences)
            if sentences:
                doc.para("• " + " ".join(sentences), size=10.5)
    doc.ln(3)
    doc.para(HANDOUT_DISCLAIMER, size=9.5, color=_GREY)
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
