"""Before/after in the app: two sessions of a patient side by side.

Per step recorded in both: the key frames at the same scale, aligned at the feet, plumb
line drawn (``reports.before_after``), captioned with the date and the step's values; for
walks, the two annotated videos playing in step (one play button, the second video's speed
set so its gait cycle lasts as long as the first one's, both from a heel strike of the same
leg); each check's trend across all the patient's sessions; and the session PDF with the
comparison page. Everything is read from the stored sessions: nothing is measured again.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from reports.before_after import (
    KEY_FRAME_KIND,
    GaitSync,
    SessionRef,
    SessionSide,
    StepComparison,
    compare_key_frames,
    gait_sync,
    key_frame_pose,
    trends,
)
from reports.compare import compare_verdicts
from reports.pdf import ComparisonPage
from reports.verdicts import step_title
from reports.wording import human_datetime
from store import SessionRecord, SessionStore
from ui import charts

log = logging.getLogger("posture.app")

# Set while the patient history draws a stored session: its comparison then lets the
# clinician pick any two sessions (the session report compares with the previous one).
IN_HISTORY: ContextVar[bool] = ContextVar("compare_in_history", default=False)
# Both walking videos travel inside the page (data URLs, the app serves no files): above
# this size each, they are not embedded and the page says so.
MAX_SYNC_VIDEO_MB = 12.0
PICTURE_HEIGHT_PX = 640
_KEY_FRAME_NO = re.compile(r"key_frame_(\d+)")


def session_label(record: SessionRecord) -> str:
    """'no. 3, 1 Nov 2026, 10:00'."""
    return f"no. {record.id}, {human_datetime(record.created_at)}"


def _key_frame_no(kind: str) -> int:
    match = _KEY_FRAME_NO.search(kind)
    return int(match.group(1)) if match else 10_000


def first_key_frames(record: SessionRecord) -> dict[str, Path]:
    """Each step's first key frame file (``key_frame_0``: the one its "key_frame"
    annotation describes)."""
    found: dict[str, tuple[int, Path]] = {}
    for media in record.media:
        if not media.kind.startswith("key_frame") or not media.path.is_file():
            continue
        number = _key_frame_no(media.kind)
        if media.step_key not in found or number < found[media.step_key][0]:
            found[media.step_key] = (number, media.path)
    return {k: path for k, (_, path) in found.items()}


def annotated_videos(record: SessionRecord) -> dict[str, Path]:
    return {m.step_key: m.path for m in record.media
            if m.kind.startswith("annotated_video") and m.path.is_file()}


def session_ref(record: SessionRecord) -> SessionRef:
    return SessionRef(record.id, record.created_at, record.steps)


@st.cache_data(show_spinner=False, max_entries=32)
def _video_frame(path: str, t_s: float, size_bytes: int) -> np.ndarray | None:
    # ``size_bytes`` is part of the cache key only: a re-saved session replaces its files.
    from ui.engine import frame_at

    return frame_at(Path(path).read_bytes(), t_s, max_side_px=1280)


def session_side(record: SessionRecord) -> SessionSide:
    """The session as the comparison needs it. A step whose recording flagged nothing has
    no key frame picture; its frame is then read from the step's annotated video at the
    time its "key_frame" annotation names."""
    # Sessions saved before schema 4 have no annotations attribute or an empty one.
    annotations = getattr(record, "annotations", None) or {}
    frames: dict[str, Any] = dict(first_key_frames(record))
    for step_key, video in annotated_videos(record).items():
        pose = key_frame_pose((annotations.get(step_key) or {}).get(KEY_FRAME_KIND))
        if step_key in frames or pose is None or pose.t_s is None:
            continue
        image = _video_frame(str(video), pose.t_s, video.stat().st_size)
        if image is not None:
            frames[step_key] = image
    return SessionSide(session_ref(record), frames, annotations)


def distinct_sessions(records: list[SessionRecord]) -> list[SessionRecord]:
    """The sessions without twins (the same recordings saved twice by older versions),
    keeping the first saved of each."""
    out: list[SessionRecord] = []
    for record in sorted(records, key=lambda r: r.id):
        if not any(r.steps == record.steps for r in out):
            out.append(record)
    return out


def comparison_page(before: SessionSide, after: SessionSide,
                    all_sessions: list[SessionRecord]) -> ComparisonPage:
    """The PDF's comparison page of two stored sessions (and the patient's trends)."""
    return ComparisonPage(
        f"no. {before.ref.session_id}, {before.ref.label}",
        f"no. {after.ref.session_id}, {after.ref.label}",
        compare_key_frames(before, after, height_px=480, short=True),
        compare_verdicts(before.ref.steps, after.ref.steps),
        trends([session_ref(r) for r in distinct_sessions(all_sessions)]),
    )


# --- choosing the two sessions ----------------------------------------------------------------


def pick_sessions(store: SessionStore, session_id: int, key: str
                  ) -> tuple[SessionRecord, SessionRecord] | None:
    """(before, now). In the history: any two of the patient's sessions, by default this
    one and the previous distinct one; in the session report: this one and the previous.
    None when the patient has no other session."""
    previous = store.previous_session(session_id)
    current = store.get_session(session_id)
    if not IN_HISTORY.get():
        return None if previous is None else (previous, current)
    sessions = store.list_sessions(current.patient_code)  # newest first
    if len(sessions) < 2:
        return None
    ids = [s.id for s in sessions]
    by_id = {s.id: s for s in sessions}
    default_before = previous.id if previous is not None else next(
        i for i in ids if i != session_id)
    st.markdown("**Compare two sessions of the patient**")
    left, right = st.columns(2)
    before_id = left.selectbox("Before", ids, index=ids.index(default_before),
                               format_func=lambda i: session_label(by_id[i]),
                               key=f"{key}-before")
    now_id = right.selectbox("Now", ids, index=ids.index(session_id),
                             format_func=lambda i: session_label(by_id[i]), key=f"{key}-now")
    if before_id == now_id:
        st.info("Pick two different sessions to compare them.")
        return None
    first, second = sorted((by_id[before_id], by_id[now_id]), key=lambda r: (r.created_at, r.id))
    if (first.id, second.id) != (before_id, now_id):
        st.caption("Shown in date order: the earlier session on the left.")
    return first, second


# --- showing them -----------------------------------------------------------------------------


def _captions(when: str, lines: list[str]) -> str:
    return f"**{when}**  \n" + "  \n".join(lines)


def _show_step(step: StepComparison, before: SessionRecord, after: SessionRecord) -> None:
    st.markdown(f"**{step.title}**: " + (step.plumb if step.frames.aligned
                                        else "scaled to the same height"))
    left, right = st.columns(2)
    for col, image, record, lines, word in (
        (left, step.frames.images[0], before, step.before_lines, "Before"),
        (right, step.frames.images[1], after, step.after_lines, "Now"),
    ):
        col.image(image, width="stretch")
        col.markdown(_captions(f"{word}: {session_label(record)}", lines))
    if step.frames.note:
        st.caption(step.frames.note)


def sync_html(video_a: bytes, video_b: bytes, sync: GaitSync, labels: tuple[str, str]) -> str:
    """Two annotated walks and one play button: B plays at ``sync.rate_b`` so its gait
    cycle lasts as long as A's, both from a heel strike of ``sync.side``; B is nudged back
    in step when it drifts, and both start over together when either ends."""
    sources = [f"data:video/mp4;base64,{base64.b64encode(v).decode()}" for v in (video_a,
                                                                             video_b)]
    params = json.dumps({"startA": sync.start_s[0], "startB": sync.start_s[1],
                         "rate": round(sync.rate_b, 4)})
    caps = [html.escape(f"{labels[k]}: gait cycle {sync.cycle_s[k]:.2f} s") for k in (0, 1)]
    return f"""<!doctype html><html><body style="margin:0;font-family:sans-serif;font-size:13px">
<div style="display:flex;gap:10px">
 <figure style="margin:0;flex:1"><video id="va" src="{sources[0]}" muted playsinline
   preload="auto" style="width:100%;max-height:360px;background:#eee"></video>
   <figcaption>{caps[0]}</figcaption></figure>
 <figure style="margin:0;flex:1"><video id="vb" src="{sources[1]}" muted playsinline
   preload="auto" style="width:100%;max-height:360px;background:#eee"></video>
   <figcaption>{caps[1]}</figcaption></figure>
</div>
<div style="margin-top:6px"><button id="play">Play both</button>
 <button id="restart">Back to the first {sync.side} heel strike</button>
 <span id="state" style="color:#666;margin-left:8px"></span></div>
<script>
const P = {params};
const A = document.getElementById("va"), B = document.getElementById("vb");
const play = document.getElementById("play"), state = document.getElementById("state");
document.body.dataset.rate = P.rate;
function toStart() {{ A.currentTime = P.startA; B.currentTime = P.startB; }}
function go() {{ A.playbackRate = 1; B.playbackRate = P.rate; A.play(); B.play();
  play.textContent = "Pause both"; }}
function stop() {{ A.pause(); B.pause(); play.textContent = "Play both"; }}
let ready = 0;
for (const v of [A, B]) v.addEventListener("loadedmetadata", () => {{
  if (++ready === 2) {{ toStart(); state.textContent = "ready";
                       document.body.dataset.ready = "1"; }} }});
play.onclick = () => (A.paused ? go() : stop());
document.getElementById("restart").onclick = () => {{ stop(); toStart(); }};
function again() {{ toStart(); if (!A.paused || !B.paused) go(); }}
A.addEventListener("ended", again); B.addEventListener("ended", again);
A.addEventListener("timeupdate", () => {{
  const want = P.startB + (A.currentTime - P.startA) * P.rate;
  if (B.duration && want >= B.duration - 0.05) {{ again(); return; }}
  if (!A.paused && Math.abs(B.currentTime - want) > 0.08) B.currentTime = want;
  if (!A.paused) state.textContent = "in step: second video at " + P.rate.toFixed(2) + "x";
}});
</script></body></html>"""


def _show_walks(before: SessionRecord, after: SessionRecord) -> None:
    videos = [annotated_videos(r).get("walking_side") for r in (before, after)]
    if not all(videos):
        return
    st.markdown(f"**{step_title('walking_side')}: the two walks in step**")
    gaits = [(r.steps.get("walking_side") or {}).get("gait") for r in (before, after)]
    sync = gait_sync(*gaits)
    sizes_mb = [p.stat().st_size / 1e6 for p in videos]
    if isinstance(sync, str) or max(sizes_mb) > MAX_SYNC_VIDEO_MB:
        why = sync if isinstance(sync, str) else (
            f"the videos are larger than {MAX_SYNC_VIDEO_MB:.0f} MB each")
        st.caption(f"Played separately, not in step: {why}.")
        left, right = st.columns(2)
        left.video(str(videos[0]))
        right.video(str(videos[1]))
        return
    labels = (f"Before ({session_label(before)})", f"Now ({session_label(after)})")
    st.components.v1.html(
        sync_html(videos[0].read_bytes(), videos[1].read_bytes(), sync, labels), height=340)
    st.caption(
        f"Both start at a {sync.side} heel strike; the second plays at {sync.rate_b:.2f}× so "
        f"its gait cycle ({sync.cycle_s[1]:.2f} s) lasts as long as the first one's "
        f"({sync.cycle_s[0]:.2f} s). Cycle times and heel strikes from the stored reports."
    )


def _show_trends(records: list[SessionRecord], key: str) -> None:
    distinct = distinct_sessions(records)
    shown = [t for t in trends([session_ref(r) for r in distinct]) if t.values]
    st.markdown(f"**Each check across all {len(distinct)} sessions of the patient**")
    if not shown:
        st.caption("No check was measured in these sessions.")
        return
    columns = st.columns(2)
    for k, trend in enumerate(shown):
        fig = charts.trend_chart(trend)
        if fig is not None:
            columns[k % 2].plotly_chart(fig, key=f"{key}-trend-{trend.check_id}-"
                                        f"{trend.step_key}", config={"displayModeBar": False})


def before_after(
    store: SessionStore,
    before: SessionRecord,
    after: SessionRecord,
    key: str,
    make_pdf: Callable[[SessionRecord, ComparisonPage], bytes] | None = None,
) -> None:
    """Key frames side by side, the walks in step, the trends, and the PDF with the
    comparison page."""
    st.markdown("#### Before and after")
    sides = (session_side(before), session_side(after))
    steps = compare_key_frames(*sides, height_px=PICTURE_HEIGHT_PX)
    if not steps:
        st.caption("No step has a key frame in both sessions.")
    for step in steps:
        _show_step(step, before, after)
    _show_walks(before, after)
    records = store.list_sessions(after.patient_code)
    _show_trends(records, key)
    if make_pdf is None:
        return

    def pdf() -> bytes:
        return make_pdf(after, comparison_page(*sides, records))

    st.download_button(
        "Download PDF report with this comparison",
        pdf,
        file_name=f"{after.patient_code}-{after.created_at[:10]}-compared.pdf",
        mime="application/pdf",
        key=f"{key}-pdf",
        on_click="ignore",
        icon=":material/compare:",
        help="The report of the later session, with a page comparing it to the earlier one.",
    )


def comparison_key(session_id: int) -> str:
    """Widget keys of a comparison: the history's and the session report's differ (both
    can be on the page at once, in different tabs)."""
    return f"{'hist' if IN_HISTORY.get() else 'sess'}-cmp-{session_id}"


def note_error(what: str) -> None:
    log.exception("%s failed", what)
    st.caption(f"The {what} could not be shown; the problem has been logged.")

