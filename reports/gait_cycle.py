"""The gait cycle per side and the spatiotemporal table, read from a report's ``gait``
(``gait.per_side``, ``gait.symmetry``; report schema 3), for the app and the PDF.

No Streamlit and no plotting library here: ``spatiotemporal_rows`` gives the table's text,
``draw_gait_cycle`` draws both sides' cycle plots and the table into an fpdf2 document with
its own lines and polygons (no image export, no browser, no matplotlib). Nothing is
computed that the engine did not report, except where to put the lines on the page.
"""

from __future__ import annotations

import math
from typing import Any

from posture.gait_cycle import CURVE_LABELS, TABLE_METRICS
from posture.gait_norms import SOURCE as NORMS_SOURCE
from posture.gait_norms import band_for
from posture.report import gait_unreliable_reason

SIDES = ("left", "right")
SIDE_RGB = {"left": (31, 119, 180), "right": (214, 39, 40)}
TABLE_LABELS = {
    "strides": "Strides counted",
    "cadence_steps_per_min": "Cadence (steps/min)",
    "stride_time_s": "Stride time (s)",
    "step_time_s": "Step time (s)",
    "stance_pct": "Stance (% of stride)",
    "swing_pct": "Swing (% of stride)",
    "double_support_pct": "Double support (% of stride)",
    "step_length_leg": "Step length (leg lengths)",
    "step_length_m": "Step length (m)",
    "toe_off_pct": "Toe-off (% of stride)",
}
_DIGITS = {"cadence_steps_per_min": 0, "stride_time_s": 2, "step_time_s": 2,
           "step_length_leg": 2, "step_length_m": 2}


def gait_cycle_sides(gait: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """``gait.per_side`` of a reliable walk, else {} (reports before version 3 have none).

    >>> gait_cycle_sides({"reliable": False, "per_side": {"left": {}}})
    {}
    """
    if gait_unreliable_reason(gait) is not None:
        return {}
    per_side = (gait or {}).get("per_side")
    return per_side if isinstance(per_side, dict) else {}


def cycle_curve_names(gait: dict[str, Any] | None) -> list[str]:
    """The gait-cycle quantities either side has, knee first."""
    sides = gait_cycle_sides(gait)
    names = {n for side in sides.values() for n in (side.get("curves") or {})}
    return [n for n in CURVE_LABELS if n in names]


def _cell(value: Any, metric: str) -> str:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "–"
    if metric == "strides":
        return str(int(value))
    return f"{value:.{_DIGITS.get(metric, 1)}f}"


def spatiotemporal_rows(gait: dict[str, Any] | None) -> list[dict[str, str]]:
    """The spatiotemporal table as rows of text: measure, left, right, symmetry index.

    >>> gait = {"per_side": {"left": {"strides": 3, "stance_pct": 58.0},
    ...                      "right": {"strides": 4, "stance_pct": 66.0}},
    ...         "symmetry": {"stance_pct": -12.9}}
    >>> [r for r in spatiotemporal_rows(gait) if r["Measure"].startswith("Stance")]
    [{'Measure': 'Stance (% of stride)', 'Left': '58.0', 'Right': '66.0', 'Symmetry index': '-12.9%'}]
    """  # noqa: E501
    sides = gait_cycle_sides(gait)
    if not sides:
        return []
    symmetry = (gait or {}).get("symmetry") or {}
    metrics = ["strides", *TABLE_METRICS]
    if any(isinstance((sides.get(s) or {}).get("step_length_m"), (int, float)) for s in sides):
        metrics.append("step_length_m")
    metrics.append("toe_off_pct")
    rows = []
    for metric in metrics:
        si = symmetry.get(metric)
        rows.append({
            "Measure": TABLE_LABELS[metric],
            "Left": _cell((sides.get("left") or {}).get(metric), metric),
            "Right": _cell((sides.get("right") or {}).get(metric), metric),
            "Symmetry index": f"{si:+.1f}%" if isinstance(si, (int, float)) else "",
        })
    return rows


# --------------------------------------------------------------------------- the PDF


def _finite(values: Any) -> list[float]:
    return [float(v) for v in values or [] if isinstance(v, (int, float)) and math.isfinite(v)]


def _axis(values: list[float], min_span: float = 10.0) -> tuple[float, float, float]:
    """(low, high, tick step) of a y axis covering ``values``, at least ``min_span`` high."""
    lo, hi = (min(values), max(values)) if values else (0.0, min_span)
    if hi - lo < min_span:
        mid = (lo + hi) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
    span = hi - lo
    step = next(s for s in (2, 5, 10, 20, 30, 50, 100) if span / s <= 6)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step, float(step)


def _lighter(rgb: tuple[int, int, int], share: float) -> tuple[int, int, int]:
    return tuple(round(c + (255 - c) * share) for c in rgb)  # type: ignore[return-value]


def _pieces(points: list[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Runs of points with a value (a missing value breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if isinstance(y, (int, float)) and math.isfinite(y):
            runs[-1].append((x, float(y)))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if len(r) >= 2]


def _cycle_plot(doc: Any, x0: float, y0: float, w: float, h: float, side: str,
                data: dict[str, Any], curve: str, walking: bool) -> None:
    """One side's strides over the gait cycle in the box (x0, y0, w, h), mm."""
    entry = (data.get("curves") or {}).get(curve) or {}
    band = band_for(curve) if walking else None
    values = _finite(entry.get("mean")) + [v for s in entry.get("strides") or []
                                           for v in _finite(s)]
    if band is not None:
        values += band.upper.tolist() + band.lower.tolist()
    lo, hi, step = _axis(values)
    left, bottom = x0 + 9.0, y0 + h - 7.0
    top, right = y0 + 7.0, x0 + w - 2.0

    def px(pct: float) -> float:
        return left + (right - left) * pct / 100.0

    def py(value: float) -> float:
        return bottom - (bottom - top) * (value - lo) / (hi - lo)

    strides = data.get("strides", len(entry.get("strides") or []))
    doc.font(8.5, bold=True)
    doc.set_text_color(0, 0, 0)
    doc.text(x0 + 1, y0 + 4, doc.clean(f"{side.capitalize()}: "
                                       f"{CURVE_LABELS.get(curve, curve)}, {strides} strides"))
    doc.font(6.5)
    doc.set_text_color(90, 90, 90)
    # Grid and tick labels.
    doc.set_line_width(0.1)
    doc.set_draw_color(225, 225, 225)
    tick = lo
    while tick <= hi + 1e-9:
        doc.line(left, py(tick), right, py(tick))
        doc.text(x0 + 1, py(tick) + 1.0, f"{tick:.0f}°")
        tick += step
    for pct in (0, 50, 100):
        doc.text(px(pct) - 2, bottom + 3.5, f"{pct}%")
    if band is not None:
        outline = [(px(p), py(v)) for p, v in zip(band.pct, band.upper, strict=True)]
        outline += [(px(p), py(v)) for p, v in zip(band.pct[::-1], band.lower[::-1],
                                                   strict=True)]
        doc.set_fill_color(220, 220, 220)
        doc.polygon(outline, style="F")
    colour = SIDE_RGB[side]
    doc.set_draw_color(*_lighter(colour, 0.6))
    doc.set_line_width(0.15)
    for stride in entry.get("strides") or []:
        for run in _pieces(list(enumerate(stride))):
            doc.polyline([(px(p), py(v)) for p, v in run])
    toe_off = data.get("toe_off_pct")
    if isinstance(toe_off, (int, float)) and math.isfinite(toe_off):
        doc.set_draw_color(*colour)
        doc.set_line_width(0.3)
        doc.line(px(toe_off), top, px(toe_off), bottom)
        doc.set_text_color(*colour)
        doc.text(px(toe_off) + 0.8, top + 2.5, f"toe-off {toe_off:.0f}%")
    doc.set_draw_color(*colour)
    doc.set_line_width(0.6)
    for run in _pieces(list(enumerate(entry.get("mean") or []))):
        doc.polyline([(px(p), py(v)) for p, v in run])
    doc.set_draw_color(150, 150, 150)
    doc.set_line_width(0.2)
    doc.rect(left, top, right - left, bottom - top)
    doc.set_draw_color(0, 0, 0)
    doc.set_fill_color(255, 255, 255)
    doc.set_text_color(0, 0, 0)
    doc.set_line_width(0.2)


def draw_gait_cycle(doc: Any, report: dict[str, Any], curve: str = "knee_flexion_deg") -> bool:
    """The cycle plots (left and right side by side) and the spatiotemporal table, when the
    report has a reliable walk's ``gait.per_side``; False (nothing drawn) otherwise. ``doc``
    is ``reports.pdf``'s document (``font``, ``para``, ``clean``)."""
    gait = report.get("gait")
    sides = gait_cycle_sides(gait)
    names = cycle_curve_names(gait)
    if not sides or not names:
        return False
    curve = curve if curve in names else names[0]
    usable_w = doc.w - doc.l_margin - doc.r_margin
    plot_h = 58.0
    if doc.get_y() + plot_h + 95 > doc.h - doc.b_margin:
        doc.add_page()
    doc.para("Gait cycle, per side", size=11, bold=True)
    doc.ln(1)
    walking = (gait or {}).get("kind", "walking") == "walking"
    y0 = doc.get_y()
    gap = 6.0
    plot_w = (usable_w - gap) / 2
    for k, side in enumerate(SIDES):
        _cycle_plot(doc, doc.l_margin + k * (plot_w + gap), y0, plot_w, plot_h, side,
                    sides.get(side) or {}, curve, walking)
    doc.set_xy(doc.l_margin, y0 + plot_h + 1)
    note = ("Faint: each stride; bold: the side's mean; vertical line: its mean toe-off; "
            "0 % = heel strike.")
    if walking and band_for(curve) is not None:
        note += f" Grey band: healthy adults, mean ± 1 SD ({NORMS_SOURCE})."
    doc.para(note, size=7.5, color=(90, 90, 90))
    doc.ln(2)
    rows = spatiotemporal_rows(gait)
    doc.para("Spatiotemporal table", size=10, bold=True)
    doc.font(8.5)
    with doc.table(col_widths=(70, 28, 28, 34), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
                   first_row_as_headings=True, width=160, align="LEFT") as table:
        head = table.row()
        for title in ("Measure", "Left", "Right", "Symmetry index"):
            head.cell(title)
        for row in rows:
            cells = table.row()
            for column in ("Measure", "Left", "Right", "Symmetry index"):
                cells.cell(doc.clean(row[column]))
    formula = (gait or {}).get("symmetry_formula")
    if formula:
        doc.para(f"{formula}. About ±10 % is the usual limit of a normal walk.", size=7.5,
                 color=(90, 90, 90))
    doc.ln(2)
    return True
