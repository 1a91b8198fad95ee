"""Showing one analysis: red flags, finding cards, explanations, charts, video, downloads."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from reports.pdf import analysis_pdf
from ui import charts, components
from ui.engine import EngineResult

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
    cols = st.columns(4)
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


def show_charts(result: EngineResult, key: str) -> None:
    figures = charts.all_charts(result.series, (result.report or {}).get("gait"))
    if not figures:
        return
    st.subheader("Over time")
    for i, fig in enumerate(figures):
        st.plotly_chart(fig, key=f"{key}-chart-{i}", config={"displaylogo": False})


def show_result(result: EngineResult, key: str, *, compact: bool = False) -> None:
    """Everything about one analysis; ``compact`` (session steps) leaves out charts/downloads."""
    if result.error:
        components.problem(result.error)
        return
    report = result.report or {}
    if not compact:  # in a session the page shows the session's red flags once, on top
        components.red_flags_box(report.get("red_flags") or [])
    components.summary_line(report)
    st.subheader("Findings")
    components.findings_list(report, result.key_frames, key=key)
    if not compact:
        components.explanations_section(report.get("explanations") or [])
        show_charts(result, key)
        if result.annotated_video:
            st.subheader("Annotated video")
            st.video(result.annotated_video, format="video/mp4")
        with st.expander("Measurements", expanded=False):
            components.measurements_table(report)
        st.subheader("Downloads")
        downloads(result, key)
    components.disclaimer()
