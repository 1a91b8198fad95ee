"""Mode 3: a physiotherapist's screening session, its history, comparison and deletion."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from reports.compare import compare_steps
from reports.pdf import PdfStep, session_pdf
from reports.wording import (
    STATUS_LABELS,
    camera_line,
    explanation_title,
    finding_title,
    severity_text,
    sorted_explanations,
    summary_parts,
    text_of,
)
from store import SessionRecord, SessionStore, StoreError, default_db_path, validate_patient_code
from ui import components, live, results
from ui.engine import (
    EngineResult,
    analyse_upload,
    explain_reports,
    make_symptoms,
    red_flags_for,
    result_from_live,
)
from ui.questionnaire import question_order, questionnaire
from ui.upload import IMAGE_TYPES, MAX_UPLOAD_MB, VIDEO_TYPES

log = logging.getLogger("posture.app")


@dataclass(frozen=True)
class ProtocolStep:
    key: str
    title: str
    instructions: str


PROTOCOL: tuple[ProtocolStep, ...] = (
    ProtocolStep(
        "standing_side",
        "Standing, side-on",
        "The patient stands relaxed, **side-on** to the camera, arms hanging, looking ahead. "
        "Camera at hip height, 2-3 m away, whole body from feet to head in the picture. "
        "Record a few seconds of video or take a photo.",
    ),
    ProtocolStep(
        "standing_front",
        "Standing, facing the camera",
        "The patient stands relaxed **facing the camera**, feet hip-width apart. "
        "Camera at hip height, whole body in the picture. A few seconds of video or a photo.",
    ),
    ProtocolStep(
        "walking_side",
        "Walking, side-on",
        "The patient walks at a comfortable pace **across the picture, side-on**, for at least "
        "four steps. Camera at hip height, far enough away that the whole body stays in view.",
    ),
)
STAGES = ["Symptoms", *[s.title for s in PROTOCOL], "Report"]


def _store() -> SessionStore:
    return _cached_store(str(default_db_path()))


@st.cache_resource(show_spinner=False)
def _cached_store(db_path: str) -> SessionStore:
    return SessionStore(db_path)


def _png(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _state() -> dict[str, Any]:
    return st.session_state.setdefault("screening", {"steps": {}, "attempt": {}, "saved_id": None})


# --- stages ---------------------------------------------------------------------------------


def _go_to(stage: str) -> None:
    st.session_state["sess-stage"] = stage


def _nav_buttons(index: int) -> None:
    left, _, right = st.columns([1, 3, 1])
    if index > 0:
        left.button("Back", key=f"sess-back-{index}", on_click=_go_to, args=(STAGES[index - 1],))
    if index < len(STAGES) - 1:
        right.button(
            "Next",
            type="primary",
            key=f"sess-next-{index}",
            on_click=_go_to,
            args=(STAGES[index + 1],),
        )


def _symptom_stage(state: dict[str, Any]) -> None:
    st.subheader("Symptom questionnaire")
    st.caption("Warning signs first. Unanswered questions are simply left out.")
    flags_slot = st.container()
    answers = questionnaire(key="sess")
    state["answers"] = answers
    with flags_slot:
        flags = red_flags_for(answers)
        components.red_flags_box(flags, heading="Warning signs: refer to a doctor")
        if answers and not flags:
            st.success("No warning signs among the answers so far.")


def _step_stage(state: dict[str, Any], step: ProtocolStep) -> None:
    st.subheader(step.title)
    st.info(step.instructions, icon=":material/photo_camera:")
    done: EngineResult | None = state["steps"].get(step.key)
    attempt = state["attempt"].get(step.key, 0)
    if done is None:
        how = st.radio(
            "Record with",
            ["Upload a video or photo", "Take a snapshot with the camera",
             "Record live with the camera"],
            horizontal=True,
            key=f"sess-how-{step.key}",
        )
        data: tuple[bytes, str] | None = None
        if how.startswith("Record live"):
            bridge_key = f"sess-bridge-{step.key}-{attempt}"
            if live.live_video(key=f"sess-live-{step.key}-{attempt}", bridge_key=bridge_key):
                _keep_live_result(state, step.key, bridge_key)
            return
        if how.startswith("Upload"):
            up = st.file_uploader(
                f"Recording for '{step.title}' (up to {MAX_UPLOAD_MB} MB)",
                type=VIDEO_TYPES + IMAGE_TYPES,
                key=f"sess-up-{step.key}-{attempt}",
            )
            if up is not None:
                data = (up.getvalue(), up.name)
        else:
            shot = st.camera_input("Snapshot", key=f"sess-cam-{step.key}-{attempt}")
            if shot is not None:
                data = (shot.getvalue(), f"{step.key}.jpg")
        if data is not None and st.button("Analyse", type="primary", key=f"sess-go-{step.key}"):
            update, close = results.progress_reporter(f"Analysing {data[1]}")
            try:
                result = analyse_upload(
                    data[0],
                    data[1],
                    symptoms=make_symptoms(state.get("answers") or {}),
                    progress=update,
                )
            finally:
                close()
            state["steps"][step.key] = result
            state["saved_id"] = None
            st.rerun()
        return
    if done.error:
        components.problem(done.error)
    else:
        st.success(f"Analysed {done.source_name}.")
        results.show_result(done, key=f"sess-{step.key}", compact=True)
    if st.button("Redo this step", key=f"sess-redo-{step.key}", icon=":material/replay:"):
        state["steps"].pop(step.key, None)
        state["attempt"][step.key] = attempt + 1
        state["saved_id"] = None
        st.rerun()


@st.fragment(run_every=1.0)
def _keep_live_result(state: dict[str, Any], step_key: str, bridge_key: str) -> None:
    """Once the live check has a verdict, offer to keep it as this step's recording."""
    bridge = st.session_state.get(bridge_key)
    snap = bridge.latest() if bridge is not None else None
    if snap is None or not snap.ready or snap.report is None:
        st.caption("Keeping the result becomes possible once the live check has a verdict.")
        return
    if st.button("Keep this live result for the step", type="primary",
                 key=f"sess-keep-{bridge_key}"):
        state["steps"][step_key] = result_from_live(snap.report, snap.frame)
        state["saved_id"] = None
        st.rerun(scope="app")


def _ok_steps(state: dict[str, Any]) -> dict[str, EngineResult]:
    return {k: r for k, r in state["steps"].items() if r is not None and r.ok}


def _dedupe(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _symptom_lines(answers: dict[str, Any]) -> list[str]:
    first, rest = question_order()
    by_field = {q.field: q.question for q in [*first, *rest]}
    lines = []
    for field_name, answer in answers.items():
        shown = (
            {True: "yes", False: "no"}.get(answer, answer) if isinstance(answer, bool) else answer
        )
        lines.append(f"{by_field.get(field_name, field_name)} {shown}")
    return lines


def _combined(
    reports: dict[str, dict[str, Any]], answers: dict[str, Any]
) -> tuple[list[Any], list[Any]]:
    """(red flags, explanations) of the whole session, from the engine, red flags first."""
    explanations, flags = explain_reports(reports.values(), answers)
    if not explanations and not flags:
        # Engine could not combine: fall back to what each step's report already says.
        flags = _dedupe([f for r in reports.values() for f in r.get("red_flags") or []])
        explanations = _dedupe([e for r in reports.values() for e in r.get("explanations") or []])
    return flags, explanations


def _pdf_for(
    code: str,
    reports: dict[str, dict[str, Any]],
    images: dict[str, list[tuple[str, Any]]],
    answers: dict[str, Any],
    note: str,
    created_at: str | None = None,
) -> bytes:
    flags, explanations = _combined(reports, answers)
    steps = [
        PdfStep(step.title, reports[step.key], images.get(step.key, []))
        for step in PROTOCOL
        if step.key in reports
    ]
    return session_pdf(
        code,
        steps,
        created_at=created_at,
        symptoms_lines=_symptom_lines(answers),
        red_flags=flags,
        explanations=explanations,
        note=note,
    )


def _comparison(store: SessionStore, session_id: int) -> None:
    previous = store.previous_session(session_id)
    if previous is None:
        st.caption("No earlier session of this patient to compare with.")
        return
    current = store.get_session(session_id)
    st.subheader(f"Compared with the session of {previous.created_at[:10]}")
    titles = {s.key: s.title for s in PROTOCOL}
    rows = [
        {
            "step": titles.get(r.step_key, r.step_key),
            "item": r.item,
            "before": r.before,
            "now": r.after,
            "change": r.change,
        }
        for r in compare_steps(previous.steps, current.steps)
        if r.changed
    ]
    if rows:
        st.dataframe(rows, hide_index=True, key=f"sess-compare-{session_id}")
    else:
        st.info("Nothing changed between the two sessions.")


def _review_stage(state: dict[str, Any]) -> None:
    code = state.get("code", "")
    st.subheader(f"Session report for {code}")
    ok = _ok_steps(state)
    answers = state.get("answers") or {}
    reports = {k: r.report for k, r in ok.items()}
    flags, explanations = _combined(reports, answers)
    components.red_flags_box(flags, heading="Warning signs: refer to a doctor")
    missing = [s.title for s in PROTOCOL if s.key not in ok]
    if missing:
        st.warning("Not recorded yet: " + ", ".join(missing) + ".")
    for step in PROTOCOL:
        if step.key in ok:
            with st.container(border=True):
                st.markdown(f"##### {step.title}")
                results.show_result(ok[step.key], key=f"review-{step.key}", compact=True)
    components.explanations_section(explanations)
    note = st.text_area("Physiotherapist's note", key="sess-note", height=120)
    images = {k: [(cap, img) for _, cap, img in r.key_frames] for k, r in ok.items()}
    save_col, pdf_col = st.columns(2)
    if save_col.button(
        "Save session", type="primary", key="sess-save", disabled=not ok, icon=":material/save:"
    ):
        try:
            media: dict[str, dict[str, bytes]] = {}
            for key, result in ok.items():
                files: dict[str, bytes] = {}
                if result.annotated_video:
                    files["annotated_video.mp4"] = result.annotated_video
                for i, (_, _, img) in enumerate(result.key_frames):
                    files[f"key_frame_{i}.png"] = _png(img)
                media[key] = files
            state["saved_id"] = _store().save_session(
                code, reports, symptoms=answers, note=note, media=media
            )
        except StoreError as exc:
            components.problem(str(exc))
        except Exception:
            log.exception("saving the session failed")
            components.problem(
                "Sorry, the session could not be saved. The problem has been logged."
            )
    try:
        pdf = _pdf_for(code, reports, images, answers, note) if ok else b""
    except Exception:
        log.exception("session PDF failed")
        pdf = b""
    pdf_col.download_button(
        "Download PDF report",
        pdf,
        file_name=f"{code}-screening.pdf",
        mime="application/pdf",
        key="sess-pdf",
        on_click="ignore",
        disabled=not pdf,
        icon=":material/picture_as_pdf:",
    )
    if state.get("saved_id"):
        st.success(f"Session saved (number {state['saved_id']}).")
        _comparison(_store(), state["saved_id"])
    components.disclaimer()


def _new_session() -> None:
    state = _state()
    code_input = st.text_input(
        "Patient code",
        key="sess-code",
        placeholder="e.g. P-0042",
        help="A pseudonym: letters, digits, '-' and '_' only. No names needed.",
    )
    if not code_input.strip():
        st.caption("Enter a patient code to start.")
        return
    try:
        code = validate_patient_code(code_input)
    except StoreError as exc:
        components.problem(str(exc))
        return
    if state.get("code") != code:
        # A different patient: start from a clean slate.
        state.clear()
        state.update({"steps": {}, "attempt": {}, "saved_id": None, "code": code})
    stage = st.radio("Step", STAGES, horizontal=True, key="sess-stage")
    index = STAGES.index(stage)
    done = set(_ok_steps(state))
    st.caption(
        "Recorded: " + (", ".join(s.title for s in PROTOCOL if s.key in done) or "nothing yet")
    )
    if index == 0:
        _symptom_stage(state)
    elif index <= len(PROTOCOL):
        _step_stage(state, PROTOCOL[index - 1])
    else:
        _review_stage(state)
    _nav_buttons(index)


def _stored_images(record: SessionRecord) -> dict[str, list[tuple[str, Any]]]:
    images: dict[str, list[tuple[str, Any]]] = {}
    for media in record.media:
        if media.kind.startswith("key_frame") and media.path.is_file():
            images.setdefault(media.step_key, []).append(("key frame", media.path))
    return images


def _show_record(store: SessionStore, record: SessionRecord) -> None:
    titles = {s.key: s.title for s in PROTOCOL}
    flags, explanations = _combined(record.steps, record.symptoms)
    components.red_flags_box(flags, heading="Warning signs: refer to a doctor")
    images = _stored_images(record)
    for key, report in record.steps.items():
        with st.container(border=True):
            st.markdown(f"##### {titles.get(key, key)}")
            details = [f"{label}: {value}" for label, value in summary_parts(report)]
            if camera := camera_line(report):
                details.append(camera)
            if details:
                st.caption(" · ".join(details))
            for finding in report.get("findings") or []:
                severity = severity_text(finding)  # seen or uncertain ones only
                st.markdown(
                    f"- **{finding_title(finding)}**: "
                    f"{STATUS_LABELS.get(finding.get('status'), finding.get('status'))}"
                    + (f" ({severity})" if severity else "")
                )
            if images.get(key):
                cols = st.columns(min(3, len(images[key])))
                for col, (_, path) in zip(cols, images[key], strict=False):
                    col.image(str(path), width="stretch")
    if explanations:
        with st.expander("Explanations"):
            for item in sorted_explanations(explanations):
                _, body = text_of(item)
                st.markdown(f"**{explanation_title(item)}** {body}")
    if record.note:
        st.markdown(f"**Note:** {record.note}")
    try:
        pdf = _pdf_for(
            record.patient_code,
            record.steps,
            images,
            record.symptoms,
            record.note,
            created_at=record.created_at,
        )
    except Exception:
        log.exception("stored session PDF failed")
        pdf = b""
    st.download_button(
        "Download this session's PDF",
        pdf,
        file_name=f"{record.patient_code}-{record.created_at[:10]}.pdf",
        mime="application/pdf",
        key=f"hist-pdf-{record.id}",
        on_click="ignore",
        disabled=not pdf,
    )
    _comparison(store, record.id)


def _history() -> None:
    store = _store()
    patients = store.list_patients()
    if not patients:
        st.info("No saved sessions yet.")
        return
    code = st.selectbox("Patient", patients, index=None, key="hist-patient")
    if code is None:
        return
    sessions = store.list_sessions(code)
    labels = {
        s.id: f"{s.created_at[:16].replace('T', ' ')} · {len(s.steps)} step(s) · no. {s.id}"
        for s in sessions
    }
    chosen = st.radio("Session", list(labels), format_func=labels.get, key=f"hist-sess-{code}")
    record = next((s for s in sessions if s.id == chosen), None)
    if record is not None:
        _show_record(store, record)
    st.divider()
    with st.expander(f"Delete all data of {code}"):
        st.warning(
            "This deletes every session, report and stored picture or video of this patient, "
            "for good. It cannot be undone."
        )
        sure = st.checkbox(f"Yes, delete everything stored for {code}", key=f"hist-sure-{code}")
        if st.button("Delete for good", disabled=not sure, key=f"hist-del-{code}", type="primary"):
            removed = store.delete_patient(code)
            st.session_state.pop("hist-patient", None)
            st.session_state["hist-deleted"] = (
                f"Deleted {code}: {removed} session(s) and their files."
            )
            st.rerun()


def page() -> None:
    st.header("Screening session")
    if msg := st.session_state.pop("hist-deleted", None):
        st.success(msg)
    new_tab, history_tab = st.tabs(["New session", "Patient history"])
    with new_tab:
        _new_session()
    with history_tab:
        _history()
