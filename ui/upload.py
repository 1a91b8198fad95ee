"""Mode 2: analyse an uploaded video or photo."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import components, jobs, results
from ui.engine import EngineResult
from ui.questionnaire import clothing_choice, symptoms_expander

VIDEO_TYPES = ["mp4", "mov", "avi", "webm", "mkv", "m4v"]
# The engine reads BMP photos too, and its message for an unreadable file offers them.
IMAGE_TYPES = ["jpg", "jpeg", "png", "webp", "bmp"]
MAX_UPLOAD_MB = 200  # the same number as server.maxUploadSize in .streamlit/config.toml

JOB_KEY = "upload-job"
RESULT_KEY = "upload-result"  # (file token, EngineResult)


def file_token(uploaded: Any) -> Any:
    """What identifies one upload: a new file (even of the same name) is a new token."""
    if uploaded is None:
        return None
    return getattr(uploaded, "file_id", None) or (uploaded.name, uploaded.size)


def show_outcome(result: EngineResult, key: str) -> None:
    """A finished analysis: a problem, a warning when nobody was in view, or the results
    (a success line only when there is something to show)."""
    if result.error:
        components.problem(result.error)
        return
    if components.nobody_warning(result):
        return
    st.success(f"Analysed {result.source_name} in {result.elapsed_s:.0f} s.")
    results.show_result(result, key=key)


def page() -> None:
    st.header("Analyse a video or photo")
    st.markdown(
        "Film the whole body, feet to head, with the camera at about hip height. "
        "**Side-on** shows knees and back; **facing the camera** shows weight shifting; "
        "**walking side-on** (a few steps across the picture) shows pelvis and trunk motion."
    )
    st.caption(
        f"Videos: {', '.join(VIDEO_TYPES)}. Photos: {', '.join(IMAGE_TYPES)}. "
        f"Up to {MAX_UPLOAD_MB} MB. The file is analysed on this computer and deleted afterwards."
    )
    uploaded = st.file_uploader(
        "Video or photo",
        type=VIDEO_TYPES + IMAGE_TYPES,
        key="upload-file",
        help=f"At most {MAX_UPLOAD_MB} MB.",
    )
    clothing = clothing_choice("upload")
    symptoms, _answers = symptoms_expander(key="upload")
    token = file_token(uploaded)

    # A finished analysis is kept only for the file it was made from.
    if (finished := jobs.take_result(JOB_KEY)) is not None and finished.result is not None:
        st.session_state[RESULT_KEY] = (finished.token, finished.result)
    job = jobs.running(JOB_KEY)
    if job is not None and job.token != token:
        st.session_state.pop(JOB_KEY, None)  # another file now: its result would be stale
        job = None
    kept = st.session_state.get(RESULT_KEY)
    if kept is not None and kept[0] != token:
        st.session_state.pop(RESULT_KEY, None)  # the old findings go with the old file
        kept = None

    if uploaded is not None:
        clicked = st.button(
            "Analysing…" if job is not None else "Analyse",
            type="primary",
            key="upload-go",
            disabled=job is not None,
        )
        if clicked and job is None:
            jobs.start(JOB_KEY, uploaded.getvalue(), uploaded.name, symptoms=symptoms,
                       token=token, clothing=clothing)
            st.session_state.pop(RESULT_KEY, None)
            st.rerun()
    if job is not None:
        jobs.progress(JOB_KEY)
        return
    if kept is not None:
        show_outcome(kept[1], key="upload")
