"""Review an analysis frame by frame, correct landmarks, and measure on the picture.

Under a video or photo result: a frame slider with previous/next buttons; the chosen frame
drawn as on the annotated video (``posture.annotate``: skeleton, trunk line against the
vertical, hip-knee-ankle lines, the hip line in a front view) beside the landmark editor, and
each measurement's value at that frame. Every number comes from the engine: the per-frame
values from its series, corrected values from ``posture.corrections.reanalyse`` (through
``ui.engine``), the goniometer's angle and the plumb line's place from engine functions.

The landmark editor is a Streamlit component in plain HTML/JS/SVG served from
``ui/landmark_editor/`` (works offline; no CDN): the landmarks are draggable points, and on
mouse-up it returns the moved landmark. Its modes: move landmarks, or place a goniometer's
three points; the plumb line is a toggle.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st
import streamlit.components.v1 as st_components
from PIL import Image

from reports.wording import correction_rows, moved_landmarks
from ui import components
from ui.engine import (
    CORRECTED_LABEL,
    EngineResult,
    correct_landmarks,
    corrections_of,
    editor_geometry,
    frame_values,
    goniometer_angle_deg,
    key_frame_annotation,
    plumb_line_at,
    position_of_time,
    review_frame,
    review_picture,
    tool_payload,
    undo_corrections,
)

_EDITOR = st_components.declare_component(
    "landmark_editor", path=str(Path(__file__).with_name("landmark_editor"))
)
EDITOR_WIDTH_PX = 340
MODES = {"move": "Move landmarks", "goniometer": "Goniometer (3 points)"}


def _data_url(image: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _plain_points(xy: np.ndarray) -> list[list[float] | None]:
    return [[round(float(x), 2), round(float(y), 2)] if np.isfinite([x, y]).all() else None
            for x, y in xy]


def _pos_key(key: str) -> str:
    return f"{key}-review-pos"


def _step(key: str, count: int, delta: int) -> None:
    state_key = _pos_key(key)
    st.session_state[state_key] = min(max(int(st.session_state.get(state_key, 0)) + delta, 0),
                                      count - 1)


def _chosen_index(result: EngineResult, key: str) -> int:
    """The slider and its previous/next buttons: an index into the reviewable frames."""
    review = result.review
    assert review is not None
    positions = review.positions
    state_key = _pos_key(key)
    if state_key not in st.session_state or st.session_state[state_key] >= len(positions):
        st.session_state[state_key] = _first_key_frame(result)
    if len(positions) == 1:
        return 0
    back, slider, forward = st.columns([1, 8, 1], vertical_alignment="bottom")
    back.button("", icon=":material/chevron_left:", key=f"{key}-review-prev",
                help="Previous frame", on_click=_step, args=(key, len(positions), -1))
    forward.button("", icon=":material/chevron_right:", key=f"{key}-review-next",
                   help="Next frame", on_click=_step, args=(key, len(positions), 1))
    times = [float(review.t_s[p]) for p in positions]
    slider.select_slider("Frame", options=list(range(len(positions))), key=state_key,
                         format_func=lambda i: f"{times[i]:.2f} s",
                         help="Step through the analysed frames; it opens at the first key "
                              "frame (the evidence of the first finding).")
    return int(st.session_state[state_key])


def _first_key_frame(result: EngineResult) -> int:
    """Index (among the reviewable frames) of the first key frame, else 0."""
    review = result.review
    key_frame = key_frame_annotation(result)
    if review is None or key_frame is None:
        return 0
    position = position_of_time(result, float(key_frame["t_s"]))
    return review.positions.index(position) if position is not None else 0


def _handle_event(result: EngineResult, key: str, value: Any, position: int) -> None:
    """Act once on the editor's last message (a moved landmark or the goniometer's points);
    the component keeps returning it on every rerun, hence the nonce."""
    if not isinstance(value, dict) or not value.get("nonce"):
        return
    seen_key = f"{key}-editor-seen"
    if st.session_state.get(seen_key) == value["nonce"]:
        return
    st.session_state[seen_key] = value["nonce"]
    if value.get("kind") == "move":
        problem = correct_landmarks(result, value.get("moved") or [])
        if problem:
            st.session_state[f"{key}-editor-problem"] = problem
        st.rerun()  # everything above (findings, values) shows the corrected analysis
    elif value.get("kind") == "goniometer":
        points = value.get("points_px") or []
        angle = goniometer_angle_deg(points)
        result.tools["goniometer"] = tool_payload(result, position, {
            "points_px": [[round(float(v), 2) for v in p] for p in points],
            "angle_deg": None if angle is None else round(angle, 1)})
        st.rerun()


def _set_plumb(result: EngineResult, key: str, position: int) -> None:
    shown = bool(st.session_state.get(f"{key}-plumb"))
    x_px = plumb_line_at(result, position) if shown else None
    if shown and x_px is not None:
        result.tools["plumb_line"] = tool_payload(result, position, {
            "x_px": round(x_px, 2), "view": result.review.view if result.review else None,
            "through": ("the ankle" if (result.review and
                                        result.review.view.startswith("side"))
                        else "midway between the feet")})
    else:
        result.tools.pop("plumb_line", None)


def _clear_goniometer(result: EngineResult) -> None:
    result.tools.pop("goniometer", None)


def _undo(result: EngineResult) -> None:
    undo_corrections(result)


def review_section(result: EngineResult, key: str) -> None:
    """Frame-by-frame review and the landmark editor (nothing for a live result or an
    analysis without pictures)."""
    review = result.review
    if review is None or not review.pictures or not result.ok:
        return
    st.subheader("Review frame by frame" if len(review.pictures) > 1
                 else "Review and correct the landmarks")
    index = _chosen_index(result, key)
    position = review.positions[index]
    t_s = float(review.t_s[position])
    frame_index = int(review.frame_index[position])
    when = "the photo" if review.pose.kind == "image" else f"{t_s:.2f} s (frame {frame_index})"
    drawn_col, edit_col = st.columns(2)
    drawn = review_frame(result, position)
    if drawn is not None:
        drawn_col.image(drawn, caption=f"Measured lines at {when}", width="stretch")
    with edit_col:
        mode = st.radio("On the picture", list(MODES), format_func=MODES.get, horizontal=True,
                        key=f"{key}-tool-mode")
        st.toggle("Plumb line", key=f"{key}-plumb",
                  help="Through the ankle in a side view, midway between the feet in a front "
                       "view, from the engine's landmarks.")
        _set_plumb(result, key, position)
        if st.session_state.get(f"{key}-plumb") and not result.tools.get("plumb_line"):
            st.caption("No plumb line here: the ankles were not found in this frame.")
        picture = review_picture(result, position)
        gonio = result.tools.get("goniometer") or {}
        here = gonio.get("frame_index") == frame_index
        edges, names, big = editor_geometry()
        value = _EDITOR(
            image=_data_url(picture) if picture is not None else "",
            width_px=int(review.pose.width_px), height_px=int(review.pose.height_px),
            display_width_px=EDITOR_WIDTH_PX, frame_index=frame_index,
            landmarks=_plain_points(review.landmarks_px[position]),
            moved=sorted({c.landmark for c in review.corrections
                          if c.frame_index == frame_index}),
            edges=edges, names=names, big=big, mode=mode,
            near_side={"side_left": "left", "side_right": "right"}.get(review.view),
            show_plumb=bool(result.tools.get("plumb_line")),
            plumb_x_px=(result.tools.get("plumb_line") or {}).get("x_px"),
            gonio_points=gonio.get("points_px") if here else [],
            gonio_angle_deg=gonio.get("angle_deg") if here else None,
            key=f"{key}-editor", default=None,
        )
        _handle_event(result, key, value, position)
        if problem := st.session_state.pop(f"{key}-editor-problem", None):
            components.problem(problem)
        if gonio:
            angle = gonio.get("angle_deg")
            text = "no angle (two points coincide)" if angle is None else f"{angle:.1f}°"
            st.markdown(f"**Goniometer:** {text} at {float(gonio.get('t_s', 0)):.2f} s")
            st.button("Clear the goniometer", key=f"{key}-gonio-clear",
                      on_click=_clear_goniometer, args=(result,))
    corrections_box(result.report, key)
    with st.container(key=f"{key}-frame-values"):
        st.markdown(f"**Values at {when}** (the engine's per-frame values)")
        rows = frame_values(result, position)
        if rows:
            # A markdown table: light, and the page's only st.table stays the gait's.
            st.markdown("| measurement | value |\n|---|---:|\n" + "\n".join(
                f"| {r['measurement']} | {r['value']} |" for r in rows))
        else:
            st.caption("No measurement at this frame (landmarks hidden or not the right view).")
    if review.corrections:
        st.button("Undo corrections", key=f"{key}-undo", icon=":material/undo:",
                  on_click=_undo, args=(result,),
                  help="Back to the landmarks and values as the engine first found them.")


def corrected_note(report: dict[str, Any] | None, key: str) -> None:
    """One line above the findings: they hold values corrected by the clinician."""
    block = corrections_of(report)
    if block is None:
        return
    with st.container(key=f"{key}-corrected-note"):
        st.info(f"**{CORRECTED_LABEL.capitalize()}** ({moved_landmarks(report or {})} moved): the "
                "findings below hold the corrected values; the originals are beside them "
                "under the landmark editor.", icon=":material/edit:")


def corrections_box(report: dict[str, Any] | None, key: str) -> None:
    """The values the clinician's corrections changed, original beside corrected, marked
    "corrected by the clinician" (read from the report, so stored sessions show it too)."""
    block = corrections_of(report)
    if block is None:
        return
    moved = moved_landmarks(report or {})
    rows = [{"value": label, "original": original, "corrected by the clinician": corrected}
            for label, original, corrected in correction_rows(report or {})]
    with st.container(border=True, key=f"{key}-corrections"):
        video = ((report or {}).get("summary") or {}).get("source", {}).get("kind") == "video"
        st.markdown(f"**{CORRECTED_LABEL.capitalize()}** — landmarks moved: {moved}. The "
                    "findings hold the corrected values; the originals are beside them here."
                    + (" The annotated video still shows the landmarks as first found."
                       if video else ""))
        if rows:
            st.table(rows, hide_index=True)
        else:
            st.caption("No value changed.")
