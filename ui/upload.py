"""Mode 2: analyse an uploaded video or photo."""

from __future__ import annotations

import streamlit as st

from ui import results
from ui.engine import analyse_upload
from ui.questionnaire import symptoms_expander

VIDEO_TYPES = ["mp4", "mov", "avi", "webm", "mkv", "m4v"]
IMAGE_TYPES = ["jpg", "jpeg", "png", "webp"]
MAX_UPLOAD_MB = 200  # the same number as server.maxUploadSize in .streamlit/config.toml


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
    symptoms, _answers = symptoms_expander(key="upload")
    if uploaded is not None and st.button("Analyse", type="primary", key="upload-go"):
        update, close = results.progress_reporter(f"Analysing {uploaded.name}")
        try:
            result = analyse_upload(
                uploaded.getvalue(), uploaded.name, symptoms=symptoms, progress=update
            )
        finally:
            close()
        st.session_state["upload-result"] = result
    result = st.session_state.get("upload-result")
    if result is not None:
        if result.ok:
            st.success(f"Analysed {result.source_name} in {result.elapsed_s:.0f} s.")
        results.show_result(result, key="upload")
