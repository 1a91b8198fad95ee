"""Plotly figures of the engine's per-frame series (no Streamlit here; pages show them).

They only plot what ``analysis.series`` and ``report["gait"]`` hold: knee flexion per side
with heel strikes and stance phases marked, trunk inclination, pelvis motion; and, for a
reliable walk, each side's strides over the gait cycle (``gait.per_side``) against the
normal band of ``posture.gait_norms``, with the spatiotemporal table beside them.

Every chart with a threshold draws it (the findings' own ``threshold`` values), and no
axis spans less than ``MIN_SPAN`` of its unit, so a degree of noise is not blown up to the
chart's full height. Time-series points carry their time (x), cycle curves theirs in
``customdata``: ``clicked_time`` reads either from a selection, for the video to jump to.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from posture.gait_cycle import CURVE_LABELS
from posture.gait_norms import band_for
from posture.report import gait_unreliable_reason
from reports.before_after import TREND_MIN_SPAN

# The table and the cycle's quantities, re-exported for the pages (shared with the PDF).
from reports.gait_cycle import (  # noqa: F401
    cycle_curve_names,
    gait_cycle_sides,
    spatiotemporal_rows,
)

SIDE_COLOURS = {"left": "#1f77b4", "right": "#d62728"}
SIDE_FAINT = {"left": "rgba(31,119,180,0.28)", "right": "rgba(214,39,40,0.28)"}
THRESHOLD_COLOUR = "#b36b00"
# The least span of a y axis, in its unit (degrees or percent): one table for the app's
# charts, the trends across sessions and the PDF's trend charts.
MIN_SPAN = TREND_MIN_SPAN


def _clean(values: list[float]) -> list[float | None]:
    # Plotly draws gaps for None; NaN frames are frames without a usable pose.
    return [v if v is not None and math.isfinite(v) else None for v in values]


def _has_data(values: list[float] | None) -> bool:
    return bool(values) and any(v is not None and math.isfinite(v) for v in values)


def _finite(values: Any) -> list[float]:
    return [float(v) for v in values or [] if v is not None and math.isfinite(v)]


def y_range(values: list[float], min_span: float, also: list[float] = ()) -> list[float] | None:
    """[low, high] covering ``values`` (and the ``also`` lines) with a little room, at least
    ``min_span`` high, centred on the data; None without data.

    >>> y_range([1.0, 1.5, 2.0], 10.0)
    [-3.5, 6.5]
    >>> y_range([0.0, 40.0], 10.0)
    [-2.0, 42.0]
    """
    data = _finite(values)
    if not data:
        return None
    lo, hi = min(data + _finite(also)), max(data + _finite(also))
    if hi - lo < min_span:
        mid = (lo + hi) / 2
        return [mid - min_span / 2, mid + min_span / 2]
    pad = 0.05 * (hi - lo)
    return [lo - pad, hi + pad]


def _trace_values(fig: go.Figure, secondary: bool | None = None) -> list[float]:
    out: list[float] = []
    for trace in fig.data:
        on_secondary = getattr(trace, "yaxis", None) == "y2"
        if secondary is None or on_secondary == secondary:
            out.extend(_finite(trace.y))
    return out


def _threshold_line(fig: go.Figure, y: float, label: str, **kwargs: Any) -> None:
    fig.add_hline(y=y, line_dash="dash", line_color=THRESHOLD_COLOUR, line_width=1,
                  annotation_text=label, annotation_position="top left",
                  annotation_font_size=10, annotation_font_color=THRESHOLD_COLOUR, **kwargs)


def thresholds_from(report: dict[str, Any] | None) -> dict[str, float]:
    """Each finding's threshold by finding id, as the engine reported it."""
    out: dict[str, float] = {}
    for finding in (report or {}).get("findings") or []:
        value = finding.get("threshold")
        if isinstance(value, (int, float)) and math.isfinite(value):
            out[str(finding.get("id"))] = float(value)
    return out


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title="time (s)",
        yaxis_title=y_title,
        height=320,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.25},
        template="plotly_white",
    )
    return fig


def stance_phases(gait: dict[str, Any] | None) -> list[tuple[str, float, float]]:
    """(side, start_s, end_s) from each heel strike to the same side's next toe-off; none
    when the engine marked the gait unreliable (``gait["reliable"]`` false)."""
    if gait_unreliable_reason(gait) is not None:
        return []
    events = sorted((gait or {}).get("events") or [], key=lambda e: e.get("t_s", 0.0))
    phases: list[tuple[str, float, float]] = []
    for side in ("left", "right"):
        start: float | None = None
        for event in events:
            if event.get("side") != side:
                continue
            if event.get("kind") == "heel_strike":
                start = float(event["t_s"])
            elif event.get("kind") == "toe_off" and start is not None:
                phases.append((side, start, float(event["t_s"])))
                start = None
    return phases


def knee_chart(series: dict[str, list[float]], gait: dict[str, Any] | None,
               thresholds: dict[str, float] | None = None) -> go.Figure | None:
    t_s = series.get("t_s")
    if not t_s:
        return None
    fig = go.Figure()
    for side in ("left", "right"):
        values = series.get(f"knee_flexion_{side}_deg")
        if _has_data(values):
            fig.add_trace(
                go.Scatter(
                    x=t_s,
                    y=_clean(values),
                    mode="lines+markers",
                    name=f"{side} knee",
                    line={"color": SIDE_COLOURS[side]},
                    marker={"size": 3},
                )
            )
    if not fig.data:
        return None
    for side, start_s, end_s in stance_phases(gait):
        fig.add_vrect(
            x0=start_s,
            x1=end_s,
            fillcolor=SIDE_COLOURS[side],
            opacity=0.08,
            line_width=0,
        )
    for event in (gait or {}).get("events") or []:
        if event.get("kind") == "heel_strike":
            fig.add_vline(
                x=float(event["t_s"]),
                line_dash="dot",
                line_color=SIDE_COLOURS.get(event.get("side"), "#555"),
                opacity=0.7,
            )
    fig.add_hline(y=0, line_color="#888", line_width=1)
    lines = []
    thresholds = thresholds or {}
    if "knee_hyperextension" in thresholds:
        lines.append(thresholds["knee_hyperextension"])
        _threshold_line(fig, lines[-1], f"pressed back past {lines[-1]:.0f}°")
    if "bent_knee" in thresholds:
        lines.append(thresholds["bent_knee"])
        _threshold_line(fig, lines[-1], f"bent past {lines[-1]:.0f}° (judged in stance)")
    fig.update_yaxes(range=y_range(_trace_values(fig), MIN_SPAN["deg"], lines))
    title = "Knee flexion (straight = 0, bent +, pressed back −)"
    if gait and gait.get("events"):
        if gait_unreliable_reason(gait) is None:
            title += "; dotted: heel strikes, shaded: stance"
        else:
            title += "; dotted: heel strikes as found (gait timing not reliable)"
    return _layout(fig, title, "degrees")


def _single_chart(
    series: dict[str, list[float]], names: list[tuple[str, str]], title: str, y_title: str
) -> go.Figure | None:
    t_s = series.get("t_s")
    if not t_s:
        return None
    fig = go.Figure()
    for name, label in names:
        if _has_data(series.get(name)):
            fig.add_trace(go.Scatter(x=t_s, y=_clean(series[name]), mode="lines+markers",
                                     marker={"size": 3}, name=label))
    if not fig.data:
        return None
    return _layout(fig, title, y_title)


def trunk_chart(series: dict[str, list[float]],
                thresholds: dict[str, float] | None = None) -> go.Figure | None:
    fig = _single_chart(
        series,
        [("trunk_inclination_deg", "trunk from vertical")],
        "Trunk inclination (leaning back +)",
        "degrees",
    )
    if fig is None:
        return None
    lines = []
    if "hollow_back" in (thresholds or {}):
        lines.append(thresholds["hollow_back"])
        _threshold_line(fig, lines[-1], f"leaning back past {lines[-1]:.0f}° (standing)")
    fig.update_yaxes(range=y_range(_trace_values(fig), MIN_SPAN["deg"], lines))
    return fig


def pelvis_chart(series: dict[str, list[float]]) -> go.Figure | None:
    """Pelvis (and shoulder) rotation proxies in % leg length; pelvis angles in degrees."""
    t_s = series.get("t_s")
    if not t_s:
        return None
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for name, label in (
        ("pelvis_rotation_proxy_pct", "pelvis rotation (proxy)"),
        ("shoulder_rotation_proxy_pct", "shoulder rotation (proxy)"),
    ):
        if _has_data(series.get(name)):
            fig.add_trace(
                go.Scatter(x=t_s, y=_clean(series[name]), mode="lines+markers",
                           marker={"size": 3}, name=label),
                secondary_y=False,
            )
    angle_names = sorted(n for n in series if n.startswith("pelvi") and n.endswith("_deg"))
    for name in angle_names:
        if not _has_data(series.get(name)):
            continue
        label = (
            "pelvic obliquity (left hip higher +)"
            if name == "pelvic_obliquity_deg"
            else name.removesuffix("_deg").replace("_", " ")
        )
        fig.add_trace(
            go.Scatter(
                x=t_s, y=_clean(series[name]), mode="lines+markers", name=label,
                line={"dash": "dot"}, marker={"size": 3},
            ),
            secondary_y=True,
        )
    if not fig.data:
        return None
    _layout(fig, "Pelvis motion", "% of leg length")
    fig.update_yaxes(title_text="degrees", secondary_y=True)
    fig.update_yaxes(range=y_range(_trace_values(fig, False), MIN_SPAN["%"]), secondary_y=False)
    fig.update_yaxes(range=y_range(_trace_values(fig, True), MIN_SPAN["deg"]), secondary_y=True)
    return fig


def load_share_chart(series: dict[str, list[float]],
                     thresholds: dict[str, float] | None = None) -> go.Figure | None:
    fig = _single_chart(
        series,
        [("load_share_right_pct", "weight position")],
        "Weight position between the feet (0 = over left ankle, 100 = over right)",
        "%",
    )
    if fig is None:
        return None
    fig.add_hline(y=50, line_color="#888", line_width=1, line_dash="dash")
    lines = []
    cut = (thresholds or {}).get("weight_shift")
    if cut is not None and cut > 50:  # the standing cut-off (walking judges a limp instead)
        lines = [cut, 100 - cut]
        _threshold_line(fig, cut, f"{cut:.0f}% on the right leg")
        _threshold_line(fig, 100 - cut, f"{cut:.0f}% on the left leg")
    fig.update_yaxes(range=y_range(_trace_values(fig), MIN_SPAN["%"], lines))
    return fig


def all_charts(series: dict[str, list[float]], gait: dict[str, Any] | None,
               report: dict[str, Any] | None = None) -> list[go.Figure]:
    """Every chart this recording has data for, in reading order; threshold lines from the
    ``report``'s findings."""
    thresholds = thresholds_from(report)
    figures = [knee_chart(series, gait, thresholds), trunk_chart(series, thresholds),
               pelvis_chart(series), load_share_chart(series, thresholds)]
    return [f for f in figures if f is not None]


# --------------------------------------------------------------------------- the gait cycle


def cycle_chart(gait: dict[str, Any] | None, side: str,
                curve: str = "knee_flexion_deg") -> go.Figure | None:
    """One side's strides of ``curve`` over the gait cycle: each stride faint, the mean
    bold, a vertical line at the side's mean toe-off, the normal band in grey (knee).
    Stride points carry their time in the recording (``customdata``)."""
    data = gait_cycle_sides(gait).get(side) or {}
    entry = (data.get("curves") or {}).get(curve)
    if not entry or not _has_data(entry.get("mean")):
        return None
    pct = list(range(101))
    fig = go.Figure()
    band = band_for(curve) if (gait or {}).get("kind", "walking") == "walking" else None
    all_values: list[float] = []
    if band is not None:
        fig.add_trace(go.Scatter(x=pct, y=band.upper.tolist(), mode="lines",
                                 line={"width": 0}, hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=pct, y=band.lower.tolist(), mode="lines",
                                 line={"width": 0}, fill="tonexty",
                                 fillcolor="rgba(128,128,128,0.25)", hoverinfo="skip",
                                 name="healthy adults ±1 SD"))
        all_values += band.upper.tolist() + band.lower.tolist()
    rows = {r.get("number"): r for r in data.get("per_stride") or []}
    numbers = entry.get("stride_numbers") or []
    for k, stride in enumerate(entry.get("strides") or []):
        row = rows.get(numbers[k]) if k < len(numbers) else None
        custom = None
        if row and row.get("start_t_s") is not None and row.get("stride_time_s"):
            t0, span = float(row["start_t_s"]), float(row["stride_time_s"])
            custom = [round(t0 + p / 100 * span, 3) for p in pct]
        fig.add_trace(go.Scatter(
            x=pct, y=_clean(stride), mode="lines+markers", marker={"size": 2},
            line={"color": SIDE_FAINT[side], "width": 1}, customdata=custom,
            name="each stride", legendgroup="strides", showlegend=k == 0,
            hovertemplate="%{x}% of stride: %{y:.0f}°<extra>stride</extra>"))
        all_values += _finite(stride)
    fig.add_trace(go.Scatter(x=pct, y=_clean(entry["mean"]), mode="lines",
                             line={"color": SIDE_COLOURS[side], "width": 3},
                             name=f"{side} mean"))
    toe_off = data.get("toe_off_pct")
    if isinstance(toe_off, (int, float)):
        fig.add_vline(x=float(toe_off), line_color=SIDE_COLOURS[side], line_width=1.5,
                      annotation_text=f"toe-off {toe_off:.0f}%",
                      annotation_position="top right", annotation_font_size=10)
    strides = data.get("strides", len(entry.get("strides") or []))
    fig.update_layout(
        title=f"{side.capitalize()}: {CURVE_LABELS.get(curve, curve)}, {strides} strides",
        xaxis_title="% of the gait cycle (heel strike to heel strike)", yaxis_title="degrees",
        height=340, margin={"l": 50, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.3}, template="plotly_white",
    )
    fig.update_xaxes(range=[0, 100])
    fig.update_yaxes(range=y_range(all_values, MIN_SPAN["deg"]))
    return fig


def clicked_time(selection: Any, from_customdata: bool = False) -> float | None:
    """The recording time of the first usable selected point: its x on a time-series chart,
    its ``customdata`` on a gait-cycle chart (``from_customdata``; the mean and the band
    carry none). None when nothing usable was selected.

    >>> clicked_time({"selection": {"points": [{"x": 1.25, "y": 8.0}]}})
    1.25
    >>> clicked_time({"selection": {"points": [{"x": 40, "customdata": 2.5}]}}, True)
    2.5
    >>> clicked_time({"selection": {"points": [{"x": 40}]}}, True) is None
    True
    """
    try:
        points = list((selection or {}).get("selection", {}).get("points") or [])
    except AttributeError:
        return None
    for point in points:
        value = point.get("customdata") if from_customdata else point.get("x")
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, (int, float)) and math.isfinite(value):
            return float(value)
    return None


# ------------------------------------------------------------------- trends across sessions

TREND_POINT_COLOURS = {"detected": "#c0392b", "uncertain": "#d68910"}
TREND_NOT_SEEN = "#2e7d4f"


def trend_chart(trend: Any) -> go.Figure | None:
    """One check as measured in one step (a ``reports.before_after.Trend``), one point per
    session in date order, coloured by the session's verdict; the threshold dashed; the y
    axis at least ``TREND_MIN_SPAN`` of its unit high. None without a value."""
    from reports.before_after import SHORT_NAMES, trend_y_range
    from reports.wording import STATUS_LABELS, fmt_number

    y_span = trend_y_range(trend)
    if y_span is None:
        return None
    # Category x: one evenly spaced slot per session, named by its date and number (two
    # visits on one day stay apart).
    x = [f"{p.label}<br>no. {p.session_id}" for p in trend.points]
    values = [p.value for p in trend.points]
    colours = [TREND_POINT_COLOURS.get(p.status, TREND_NOT_SEEN) for p in trend.points]
    hover = [f"{p.label}: {STATUS_LABELS.get(p.status, p.status)}, "
             f"{fmt_number(p.value, trend.unit)}" if p.value is not None
             else f"{p.label}: not assessed" for p in trend.points]
    fig = go.Figure(go.Scatter(
        x=x, y=values, mode="lines+markers+text", connectgaps=False,
        text=[fmt_number(v, trend.unit) if v is not None else "" for v in values],
        textposition="top center", hovertext=hover, hoverinfo="text",
        line={"color": "#555", "width": 1.5}, marker={"size": 11, "color": colours},
        name=trend.title, showlegend=False, cliponaxis=False,  # a top value's label shows
    ))
    for cut in trend.thresholds:
        _threshold_line(fig, cut, f"threshold {fmt_number(cut, trend.unit, 0)}")
    fig.update_layout(
        title={"text": f"{SHORT_NAMES.get(trend.check_id, trend.title)}<br>"
                       f"<sup>{trend.step_title}</sup>", "font_size": 14},
        yaxis_title={"deg": "degrees", "%": "%"}.get(trend.unit or "", trend.unit or ""),
        height=300, margin={"l": 50, "r": 20, "t": 70, "b": 50}, template="plotly_white",
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=list(y_span))
    return fig
