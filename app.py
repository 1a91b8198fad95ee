"""Posture check: the Streamlit app (``streamlit run app.py``).

Three modes, picked in the sidebar or from the first screen: a live webcam check, analysis
of an uploaded video or photo, and a physiotherapist's screening session. The pages only
call the engine (``posture``); nothing is measured here. A ``?mode=live|upload|session``
query parameter opens a mode directly.
"""

from __future__ import annotations

import logging

import streamlit as st

from ui import home, live, session, upload

log = logging.getLogger("posture.app")

PAGES = {
    "Home": home.page,
    "Live check": live.page,
    "Analyse a video or photo": upload.page,
    "Screening session": session.page,
}
QUERY_MODES = {
    "live": "Live check",
    "upload": "Analyse a video or photo",
    "session": "Screening session",
}


def main() -> None:
    # No page_icon: Streamlit fetches material/emoji favicons from a font CDN, and nothing
    # may leave the machine (the browser test checks every request the page makes).
    st.set_page_config(page_title="Posture check")
    if "mode" not in st.session_state:
        st.session_state["mode"] = QUERY_MODES.get(st.query_params.get("mode", ""), "Home")
    with st.sidebar:
        st.radio("Mode", list(PAGES), key="mode", format_func=lambda m: m)
        st.caption("Runs offline. No data leaves this computer.")
    try:
        PAGES[st.session_state["mode"]]()
    except Exception:  # the last net: never a traceback on screen (st.rerun is not an Exception)
        log.exception("unexpected error on page %s", st.session_state.get("mode"))
        st.error(
            "Sorry, something went wrong on this page. The problem has been logged; "
            "please try again."
        )


main()
