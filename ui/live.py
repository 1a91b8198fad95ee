"""Mode 1: live check through the webcam, with a snapshot fallback."""

from __future__ import annotations

import logging

import streamlit as st

from reports.wording import VIEW_LABELS, measurement_label, sorted_findings
from ui import components, results
from ui.engine import analyse_upload, make_live_analyser
from ui.live_bridge import LiveBridge

log = logging.getLogger("posture.app")

# The view each choice needs (the live guidance asks the person to turn to it) and the checks
# shown first.
TARGETS = {
    "Knees and back (side-on)": ("side", ("hollow_back", "knee_hyperextension", "bent_knee")),
    "Weight shift (facing the camera)": ("front", ("weight_shift",)),
}
PLACEMENT_TIPS = {
    "Knees and back (side-on)": (
        "Stand **side-on** to the camera, arms relaxed, about 2-3 m away. "
        "The camera at about **hip height**, your **whole body** from feet to head in the picture."
    ),
    "Weight shift (facing the camera)": (
        "Stand **facing the camera**, feet hip-width apart, about 2-3 m away. "
        "The camera at about **hip height**, your **whole body** in the picture."
    ),
}


def _bridge(key: str = "live-bridge", target: str | None = None) -> LiveBridge:
    bridge = st.session_state.get(key)
    if bridge is None:
        bridge = LiveBridge(make_live_analyser, target=target)
        st.session_state[key] = bridge
    elif bridge.target != target:
        bridge.set_target(target)
    return bridge


def _checks_for(target: str | None) -> tuple[str, ...]:
    return next((checks for view, checks in TARGETS.values() if view == target), ())


def _measurement_value(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("value", value.get("median"))
    if isinstance(value, int | float):
        return f"{value:.1f}"
    return "—" if value is None else str(value)


KEY_MEASUREMENTS = [
    "knee_flexion_left_deg",
    "knee_flexion_right_deg",
    "trunk_inclination_deg",
    "pelvic_obliquity_deg",
    "load_share_right_pct",
]


def _metric_grid(items: list[tuple[str, object]]) -> None:
    if not items:
        return
    cols = st.columns(min(len(items), 4))
    for i, (name, value) in enumerate(items):
        unit = "°" if name.endswith("_deg") else (" %" if name.endswith("_pct") else "")
        cols[i % len(cols)].metric(measurement_label(name), _measurement_value(value) + unit)


@st.fragment(run_every=1.0)
def live_panel(bridge_key: str = "live-bridge") -> None:
    """What the app sees now; refreshed every second while the camera runs."""
    bridge: LiveBridge | None = st.session_state.get(bridge_key)
    if bridge is None:
        return
    snap = bridge.latest()
    if snap.problem:
        components.problem(snap.problem)
        return
    if snap.frames_seen == 0:
        st.info("Waiting for the camera picture…")
        return
    st.caption(
        f"Person in view: {'yes' if snap.person_found else 'no'} · "
        f"camera view: {VIEW_LABELS.get(snap.view, snap.view)}"
    )
    for message in snap.guidance:
        st.warning(message, icon=":material/directions_walk:")
    if snap.progress is not None and not snap.ready:
        st.progress(min(max(snap.progress, 0.0), 1.0), text="Collecting steady frames…")
    if snap.measurements:
        st.markdown("**Live measurements**")
        # The measurements the checks rest on first; the rest folded away.
        main = [(n, v) for n, v in snap.measurements.items() if n in KEY_MEASUREMENTS]
        main.sort(key=lambda item: KEY_MEASUREMENTS.index(item[0]))
        other = [(n, v) for n, v in snap.measurements.items() if n not in KEY_MEASUREMENTS]
        _metric_grid(main)
        if other:
            with st.expander("More measurements"):
                _metric_grid(other)
    if snap.ready and snap.findings:
        st.markdown("**What the camera sees (steady frames)**")
        # The chosen check's findings and anything flagged; other checks' "not assessable"
        # cards are folded away (they need another view, which the guidance asks for).
        wanted = _checks_for(bridge.target)
        main = [f for f in sorted_findings(snap.findings)
                if not wanted or f.get("id") in wanted or f.get("status") != "not_assessable"]
        rest = [f for f in sorted_findings(snap.findings) if f not in main]
        for finding in main:
            components.finding_card(finding, key="live")
        if rest:
            with st.expander(f"Not assessable in this view ({len(rest)})"):
                for finding in rest:
                    components.finding_card(finding, key="live-rest")
        st.caption("The verdict holds while the picture is steady; a change is shown once "
                   "it has been seen for more than a second.")
    elif not snap.ready:
        st.caption("A verdict appears once enough steady frames are in: hold still "
                   "(standing), or a few full steps (walking).")


def live_video(key: str = "live-webrtc", bridge_key: str = "live-bridge",
               target: str | None = None) -> LiveBridge | None:
    """The camera with the engine's live analysis drawn on it, and the live panel below;
    ``target`` is the view the chosen check needs ("side" or "front"): the guidance asks the
    person to turn to it. Returns the bridge holding the latest live state (None when WebRTC
    cannot start)."""
    try:
        import av
        from streamlit_webrtc import WebRtcMode, webrtc_streamer
    except Exception:
        log.exception("streamlit-webrtc not available")
        st.info("Live video is not available here; use the snapshot tab instead.")
        return None
    bridge = _bridge(bridge_key, target)

    def video_frame_callback(frame: av.VideoFrame) -> av.VideoFrame:
        # Runs on the WebRTC thread: keep it thin, everything else is the engine's.
        image = frame.to_ndarray(format="rgb24")
        t_s = float(frame.time) if frame.time is not None else None
        out = bridge.process(image, t_s)
        return av.VideoFrame.from_ndarray(out, format="rgb24")

    try:
        ctx = webrtc_streamer(
            key=key,
            mode=WebRtcMode.SENDRECV,
            # Local only: no STUN/TURN server, so no request leaves the machine.
            rtc_configuration={"iceServers": []},
            media_stream_constraints={"video": {"width": {"ideal": 640}}, "audio": False},
            video_frame_callback=video_frame_callback,
            async_processing=True,
        )
    except Exception:
        # e.g. no browser session to attach to (tests), or WebRTC unavailable.
        log.exception("webrtc_streamer failed")
        st.info("Live video cannot start here; the snapshot tab gives the same analysis.")
        return None
    if st.button("Start over", key=f"{key}-reset"):
        bridge.reset()
    if ctx.state.playing:
        live_panel(bridge_key)
    else:
        st.caption("Press START and allow the camera. Nothing is recorded or sent anywhere.")
    return bridge


def _snapshot() -> None:
    st.caption("Take one picture; it is analysed on this computer and not kept.")
    shot = st.camera_input("Take a picture", key="live-snapshot")
    if shot is None:
        return
    token = (shot.file_id if hasattr(shot, "file_id") else None) or shot.name
    if st.session_state.get("live-snapshot-token") != token:
        with st.spinner("Analysing the picture…"):
            st.session_state["live-snapshot-result"] = analyse_upload(
                shot.getvalue(), "snapshot.jpg"
            )
        st.session_state["live-snapshot-token"] = token
    result = st.session_state.get("live-snapshot-result")
    if result is not None:
        results.show_result(result, key="snapshot")


def page() -> None:
    st.header("Live check")
    check = st.radio("What to check", list(PLACEMENT_TIPS), horizontal=True, key="live-check")
    st.info(PLACEMENT_TIPS[check], icon=":material/photo_camera:")
    live_tab, snapshot_tab = st.tabs(["Live video", "Snapshot (no video)"])
    with live_tab:
        live_video(target=TARGETS[check][0])
    with snapshot_tab:
        _snapshot()
