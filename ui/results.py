"""Showing one analysis: red flags, finding cards, explanations, the gait cycle per side
with its spatiotemporal table, the annotated video and the charts tied to it, downloads.

Clicking a point of a chart (a time-series chart, or a stride on a gait-cycle chart) moves
the annotated video to that moment (``st.video(start_time=...)``, whole seconds) and shows
the exact annotated frame under the charts. Under a video or photo, ``ui.review`` shows it
frame by frame with the landmark editor (corrections run the engine again)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from posture.gait_norms import SOURCE as NORMS_SOURCE
from reports.pdf import analysis_pdf
from ui import charts, components, review
from ui.engine import EngineResult, frame_at

log = logging.getLogger("posture.app")


def progress_reporter(label: str) -> tuple[Callable[[float], None], Callable[[], None]]:
    """A progress bar that shows the estimated time left; returns (update, close)."""
    bar = st.progress(0.0, text=f"{label}: starting…")
    started = time.monotonic()

    def update(fraction: float) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        elapsed_s = time.monotonic() - started
        if fraction > 0.02:
            left_s = elapsed_s * (1.0 - fraction) / fraction
            text = f"{label}: {fraction:.0%} done, about {left_s:.0f} s left"
        else:
            text = f"{label}: {fraction:.0%} done, estimating time left…"
        bar.progress(fraction, text=text)

    return update, bar.empty


def _stem(name: str) -> str:
    return Path(name or "recording").stem or "recording"


@st.cache_data(show_spinner=False, max_entries=8)
def _pdf_bytes(report_json: str, source_name: str, _key_frames: list) -> bytes:
    report = json.loads(report_json)
    images = [(cap, img) for _, cap, img in _key_frames]
    return analysis_pdf(report, title="Posture analysis", source_name=source_name, images=images)


def downloads(result: EngineResult, key: str) -> None:
    stem = _stem(result.source_name)
    report_json = json.dumps(result.report, indent=2)
    strides = result.strides_csv
    has_strides = len(strides.splitlines()) > 1
    cols = st.columns(5 if has_strides else 4)
    cols[0].download_button(
        "JSON report",
        report_json,
        file_name=f"{stem}-report.json",
        mime="application/json",
        key=f"{key}-dl-json",
        on_click="ignore",
        icon=":material/data_object:",
    )
    cols[1].download_button(
        "Per-frame CSV",
        result.csv_text or "",
        file_name=f"{stem}-frames.csv",
        mime="text/csv",
        key=f"{key}-dl-csv",
        on_click="ignore",
        disabled=not result.csv_text,
        icon=":material/table:",
    )
    if has_strides:
        cols[4].download_button(
            "Per-stride CSV",
            strides,
            file_name=f"{stem}-strides.csv",
            mime="text/csv",
            key=f"{key}-dl-strides",
            on_click="ignore",
            icon=":material/directions_walk:",
        )
    cols[2].download_button(
        "Annotated video",
        result.annotated_video or b"",
        file_name=f"{stem}-annotated.mp4",
        mime="video/mp4",
        key=f"{key}-dl-video",
        on_click="ignore",
        disabled=not result.annotated_video,
        icon=":material/movie:",
    )
    try:
        pdf = _pdf_bytes(report_json, result.source_name, result.key_frames)
    except Exception:
        log.exception("PDF generation failed")
        pdf = b""
    cols[3].download_button(
        "PDF report",
        pdf,
        file_name=f"{stem}-report.pdf",
        mime="application/pdf",
        key=f"{key}-dl-pdf",
        on_click="ignore",
        disabled=not pdf,
        icon=":material/picture_as_pdf:",
    )


def _seek_key(key: str) -> str:
    return f"{key}-seek-t"


def _remember_click(chart_key: str, key: str, from_customdata: bool) -> Callable[[], None]:
    """A selection callback: the clicked point's recording time becomes where the video
    of ``key``'s result jumps to."""

    def remember() -> None:
        t_s = charts.clicked_time(st.session_state.get(chart_key), from_customdata)
        if t_s is not None:
            st.session_state[_seek_key(key)] = t_s

    return remember


def _clickable(fig, chart_key: str, key: str, seekable: bool, from_customdata: bool,
               container=st) -> None:  # noqa: ANN001
    config = {"displaylogo": False}
    if not seekable:
        container.plotly_chart(fig, key=chart_key, config=config)
        return
    container.plotly_chart(fig, key=chart_key, config=config, selection_mode="points",
                           on_select=_remember_click(chart_key, key, from_customdata))


@st.cache_data(show_spinner=False, max_entries=16)
def _frame_at(video: bytes, t_s: float):  # noqa: ANN202
    return frame_at(video, t_s)


def show_charts(result: EngineResult, key: str) -> None:
    report = result.report or {}
    figures = charts.all_charts(result.series, report.get("gait"), report)
    if not figures:
        return
    st.subheader("Over time")
    seekable = bool(result.annotated_video)
    if seekable:
        st.caption("Click a point on a chart: the annotated video above jumps to that "
                   "moment, and the frame is shown here. Dashed orange lines: the checks' "
                   "thresholds.")
        seek = st.session_state.get(_seek_key(key))
        if seek is not None:
            frame = _frame_at(result.annotated_video, float(seek))
            if frame is not None:
                st.image(frame, caption=f"Annotated frame at {float(seek):.2f} s",
                         width=420)
    else:
        st.caption("Dashed orange lines: the checks' thresholds.")
    for i, fig in enumerate(figures):
        _clickable(fig, f"{key}-chart-{i}", key, seekable, from_customdata=False)


def show_gait_cycle(report: dict, key: str, *, seekable: bool = False) -> bool:
    """Each side's strides over the gait cycle, side by side (left, right), and the
    spatiotemporal table with symmetry indices, from ``report["gait"]["per_side"]``.
    Shows nothing, and returns False, without a reliable side-on walk. ``show_result``
    calls it in both modes, so the screening session's walking step shows it too."""
    gait = (report or {}).get("gait")
    names = charts.cycle_curve_names(gait)
    if not names:
        return False
    st.subheader("Gait cycle, per side")
    labels = {n: charts.CURVE_LABELS[n].split(" (")[0] for n in names}
    curve = st.radio("Show over the gait cycle", names, format_func=labels.get,
                     horizontal=True, key=f"{key}-cycle-curve")
    columns = st.columns(2)
    for column, side in zip(columns, ("left", "right"), strict=True):
        fig = charts.cycle_chart(gait, side, curve or names[0])
        if fig is None:
            column.info(f"No {side} strides of this measure were seen clearly.")
            continue
        _clickable(fig, f"{key}-cycle-{side}", key, seekable, from_customdata=True,
                   container=column)
    notes = ["Faint: each stride; bold: the side's mean; vertical line: its mean toe-off."]
    if curve == "knee_flexion_deg" and (gait or {}).get("kind", "walking") == "walking":
        notes.append(f"Grey band: healthy adults, mean ± 1 SD ({NORMS_SOURCE}).")
    st.caption(" ".join(notes))
    rows = charts.spatiotemporal_rows(gait)
    if rows:
        st.markdown("**Spatiotemporal table**")
        st.table(rows)
        formula = (gait or {}).get("symmetry_formula")
        if formula:
            st.caption(f"{formula}. About ±10 % is the usual limit of a normal walk.")
    return True


def show_result(result: EngineResult, key: str, *, compact: bool = False,
                reviewable: bool = True) -> None:
    """Everything about one analysis; ``compact`` (session steps) leaves out charts/downloads.
    ``reviewable``: the frame-by-frame review and landmark editor under it (``ui.review``)."""
    if result.error:
        components.problem(result.error)
        return
    report = result.report or {}
    if not compact:  # in a session the page shows the session's red flags once, on top
        components.red_flags_box(report.get("red_flags") or [])
    components.summary_line(report)
    components.how_measured(report)
    if reviewable and result.review is not None:
        # The full table sits by the editor below, so a drag does not push the page down.
        review.corrected_note(report, key)
    else:
        review.corrections_box(report, key)
    st.subheader("Findings")
    components.findings_list(report, result.key_frames, key=key)
    if compact:  # a session step: the gait cycle and table still belong to the walk
        show_gait_cycle(report, key)
        if reviewable:
            review.review_section(result, key)
    else:
        components.explanations_section(report.get("explanations") or [])
        show_gait_cycle(report, key, seekable=bool(result.annotated_video))
        if result.annotated_video:
            st.subheader("Annotated video")
            seek = st.session_state.get(_seek_key(key))
            st.video(result.annotated_video, format="video/mp4",
                     start_time=int(seek) if seek is not None else 0)
        if reviewable:
            review.review_section(result, key)
        show_charts(result, key)
        with st.expander("Measurements", expanded=False):
            components.measurements_table(report)
        st.subheader("Downloads")
        downloads(result, key)
    components.disclaimer()
