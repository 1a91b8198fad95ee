"""Plotly figures of the engine's per-frame series (no Streamlit here; pages show them).

They only plot what ``analysis.series`` and ``report["gait"]`` hold: knee flexion per side
with heel strikes and stance phases marked, trunk inclination, pelvis motion.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from posture.report import gait_unreliable_reason

SIDE_COLOURS = {"left": "#1f77b4", "right": "#d62728"}


def _clean(values: list[float]) -> list[float | None]:
    # Plotly draws gaps for None; NaN frames are frames without a usable pose.
    return [v if v is not None and math.isfinite(v) else None for v in values]


def _has_data(values: list[float] | None) -> bool:
    return bool(values) and any(v is not None and math.isfinite(v) for v in values)


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


def knee_chart(series: dict[str, list[float]], gait: dict[str, Any] | None) -> go.Figure | None:
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
                    mode="lines",
                    name=f"{side} knee",
                    line={"color": SIDE_COLOURS[side]},
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
            fig.add_trace(go.Scatter(x=t_s, y=_clean(series[name]), mode="lines", name=label))
    if not fig.data:
        return None
    return _layout(fig, title, y_title)


def trunk_chart(series: dict[str, list[float]]) -> go.Figure | None:
    return _single_chart(
        series,
        [("trunk_inclination_deg", "trunk from vertical")],
        "Trunk inclination (leaning back +)",
        "degrees",
    )


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
                go.Scatter(x=t_s, y=_clean(series[name]), mode="lines", name=label),
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
                x=t_s, y=_clean(series[name]), mode="lines", name=label, line={"dash": "dot"}
            ),
            secondary_y=True,
        )
    if not fig.data:
        return None
    _layout(fig, "Pelvis motion", "% of leg length")
    fig.update_yaxes(title_text="degrees", secondary_y=True)
    return fig


def load_share_chart(series: dict[str, list[float]]) -> go.Figure | None:
    fig = _single_chart(
        series,
        [("load_share_right_pct", "weight position")],
        "Weight position between the feet (0 = over left ankle, 100 = over right)",
        "%",
    )
    if fig is not None:
        fig.add_hline(y=50, line_color="#888", line_width=1, line_dash="dash")
    return fig


def all_charts(series: dict[str, list[float]], gait: dict[str, Any] | None) -> list[go.Figure]:
    """Every chart this recording has data for, in reading order."""
    figures = [knee_chart(series, gait), trunk_chart(series), pelvis_chart(series)]
    figures.append(load_share_chart(series))
    return [f for f in figures if f is not None]
