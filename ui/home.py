"""The first screen: what the app does, and the three ways in."""

from __future__ import annotations

import streamlit as st

from ui import components

MODES = {
    "Home": ":material/home:",
    "Live check": ":material/videocam:",
    "Analyse a video or photo": ":material/upload_file:",
    "Screening session": ":material/assignment_ind:",
}


def _open(mode: str) -> None:
    st.session_state["mode"] = mode


def page() -> None:
    st.title("Posture check")
    st.markdown(
        "This app looks at how a person stands and walks and measures postural habits that the "
        "calf-pain literature links to calf pain: a hollow back, knees pressed backwards, "
        "permanently bent knees, weight shifted onto one leg, and little pelvis and trunk "
        "motion when walking. **Everything runs on this computer; no picture leaves it.**"
    )
    cols = st.columns(3)
    blurbs = {
        "Live check": "Stand in front of the webcam and get guidance and measurements live.",
        "Analyse a video or photo": "Upload a recording of standing or walking for a full report.",
        "Screening session": "For physiotherapists: guided protocol, questionnaire, history.",
    }
    for col, (mode, blurb) in zip(cols, blurbs.items(), strict=True):
        with col.container(border=True):
            st.markdown(f"#### {mode}")
            st.write(blurb)
            st.button(
                f"Open {mode.lower()}",
                key=f"home-open-{mode}",
                on_click=_open,
                args=(mode,),
                icon=MODES[mode],
            )
    components.disclaimer()
