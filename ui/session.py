"""Mode 3: a physiotherapist's screening session, its history, comparison and deletion.

A session is one visit: a symptom questionnaire, three recorded steps and a combined report
whose verdict per check comes from the step that can assess it (``reports.verdicts``).
Saving is idempotent: the session has a uid from the moment it starts, and saving it again
updates the stored session; "New session" starts the next visit of the same patient.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from reports.compare import compare_steps, compare_verdicts
from reports.pdf import PdfStep, patient_handout_pdf, session_pdf
from reports.verdicts import (
    STEP_BY_KEY,
    CheckVerdict,
    nobody_in_view,
    session_verdicts,
    step_mismatch,
    verdict_findings,
)
from reports.wording import human_datetime
from store import SessionRecord, SessionStore, StoreError, default_db_path, validate_patient_code
from ui import components, jobs, live, results
from ui import review as review_ui
from ui.engine import (
    EngineResult,
    draw_tools,
    explain_reports,
    make_symptoms,
    red_flags_for,
    result_from_live,
    session_annotations,
    tools_text,
)
from ui.questionnaire import clothing_choice, question_order, questionnaire
from ui.upload import IMAGE_TYPES, MAX_UPLOAD_MB, VIDEO_TYPES, file_token

log = logging.getLogger("posture.app")


@dataclass(frozen=True)
class ProtocolStep:
    key: str
    title: str
    instructions: str


PROTOCOL: tuple[ProtocolStep, ...] = (
    ProtocolStep(
        "standing_side",
        STEP_BY_KEY["standing_side"].title,
        "The patient stands relaxed, **side-on** to the camera, arms hanging, looking ahead. "
        "Camera at hip height, 2-3 m away, whole body from feet to head in the picture. "
        "Record a few seconds of video or take a photo.",
    ),
    ProtocolStep(
        "standing_front",
        STEP_BY_KEY["standing_front"].title,
        "The patient stands relaxed **facing the camera**, feet hip-width apart. "
        "Camera at hip height, whole body in the picture. A few seconds of video or a photo.",
    ),
    ProtocolStep(
        "walking_side",
        STEP_BY_KEY["walking_side"].title,
        "The patient walks at a comfortable pace **across the picture, side-on**, for at least "
        "four steps. Camera at hip height, far enough away that the whole body stays in view.",
    ),
)
STAGES = ["Symptoms", *[s.title for s in PROTOCOL], "Report"]
TITLES = {s.key: s.title for s in PROTOCOL}
# Widgets of one session (answers, note, how each step is recorded): cleared by "New session".
_SESSION_WIDGET_PREFIXES = ("sess-q-", "sess-how-")
_SESSION_WIDGET_KEYS = ("sess-note",)


def _store() -> SessionStore:
    return _cached_store(str(default_db_path()))


@st.cache_resource(show_spinner=False)
def _cached_store(db_path: str) -> SessionStore:
    return SessionStore(db_path)


def _png(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _fresh(code: str | None = None, round_no: int = 0) -> dict[str, Any]:
    return {
        "steps": {},
        "attempt": {},
        "kept": [],  # steps kept although their recording is not what the step asks for
        "saved_id": None,
        "saved_sig": None,
        "code": code,
        "uid": uuid.uuid4().hex,  # saving this session again updates it
        "round": round_no,  # part of the widget keys: a new session gets fresh widgets
    }


def _state() -> dict[str, Any]:
    state = st.session_state.setdefault("screening", _fresh())
    for key, value in _fresh(state.get("code")).items():
        state.setdefault(key, value)
    return state


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


def _start_new_session() -> None:
    """'New session': the next visit of the same patient, from a clean slate."""
    state = _state()
    for key in list(st.session_state):
        if isinstance(key, str) and (
            key.startswith(_SESSION_WIDGET_PREFIXES) or key in _SESSION_WIDGET_KEYS
            or key.startswith("sess-job-")
        ):
            del st.session_state[key]
    fresh = _fresh(state.get("code"), int(state.get("round") or 0) + 1)
    state.clear()
    state.update(fresh)
    st.session_state["sess-stage"] = STAGES[0]
    st.session_state["sess-flash"] = "A new session was started for this patient."


def _symptom_stage(state: dict[str, Any]) -> None:
    st.subheader("Symptom questionnaire")
    st.caption("Warning signs first. Unanswered questions are simply left out.")
    flags_slot = st.container()
    # Streamlit forgets a widget's value while its stage is not shown: put the answers back,
    # so coming back to the questionnaire keeps them (and their red flags).
    for field_name, answer in (state.get("answers") or {}).items():
        widget_key = f"sess-q-{field_name}"
        if widget_key not in st.session_state:
            st.session_state[widget_key] = (
                ("yes" if answer else "no") if isinstance(answer, bool) else answer
            )
    answers = questionnaire(key="sess")
    state["answers"] = answers
    with flags_slot:
        flags = red_flags_for(answers)
        components.red_flags_box(flags, heading="Warning signs: refer to a doctor")
        if answers and not flags:
            st.success("No warning signs among the answers so far.")


def _job_key(step_key: str) -> str:
    return f"sess-job-{step_key}"


def _take_finished(state: dict[str, Any], step: ProtocolStep) -> None:
    """Put a finished analysis of this step where the step's result goes."""
    job = jobs.take_result(_job_key(step.key))
    if job is None or job.result is None:
        return
    attempt = state["attempt"].get(step.key, 0)
    if tuple(job.token[:3]) != (state["uid"], step.key, attempt):
        return  # started for another session or an earlier attempt: stale
    _set_step(state, step.key, job.result)


def _set_step(state: dict[str, Any], step_key: str, result: EngineResult) -> None:
    state["steps"][step_key] = result
    if step_key in state["kept"]:
        state["kept"].remove(step_key)


def _step_stage(state: dict[str, Any], step: ProtocolStep) -> None:
    st.subheader(step.title)
    st.info(step.instructions, icon=":material/photo_camera:")
    _take_finished(state, step)
    done: EngineResult | None = state["steps"].get(step.key)
    attempt = state["attempt"].get(step.key, 0)
    suffix = f"{step.key}-{state['round']}-{attempt}"
    if done is None:
        _record_step(state, step, attempt, suffix)
        return
    _show_step_result(state, step, done, attempt)


def _redo(state: dict[str, Any], step_key: str, attempt: int) -> None:
    state["steps"].pop(step_key, None)
    if step_key in state["kept"]:
        state["kept"].remove(step_key)
    state["attempt"][step_key] = attempt + 1


def _record_step(state: dict[str, Any], step: ProtocolStep, attempt: int, suffix: str) -> None:
    job_key = _job_key(step.key)
    job = jobs.running(job_key)
    how = st.radio(
        "Record with",
        ["Upload a video or photo", "Take a snapshot with the camera",
         "Record live with the camera"],
        horizontal=True,
        key=f"sess-how-{step.key}",
        disabled=job is not None,
    )
    data: tuple[bytes, str] | None = None
    token: Any = None
    if how.startswith("Record live"):
        bridge_key = f"sess-bridge-{suffix}"
        if live.live_video(key=f"sess-live-{suffix}", bridge_key=bridge_key,
                           target=_live_target(step.key)):
            _keep_live_result(state, step.key, bridge_key)
        return
    if how.startswith("Upload"):
        up = st.file_uploader(
            f"Recording for '{step.title}' (up to {MAX_UPLOAD_MB} MB)",
            type=VIDEO_TYPES + IMAGE_TYPES,
            key=f"sess-up-{suffix}",
        )
        if up is not None:
            data, token = (up.getvalue(), up.name), file_token(up)
    else:
        shot = st.camera_input("Snapshot", key=f"sess-cam-{suffix}")
        if shot is not None:
            data, token = (shot.getvalue(), f"{step.key}.jpg"), file_token(shot)
    if job is not None and token is not None and job.token[3] != token:
        st.session_state.pop(job_key, None)  # another file now: the old analysis is stale
        job = None
    if data is not None:
        clothing = clothing_choice(f"sess-{step.key}", disabled=job is not None)
        clicked = st.button(
            "Analysing…" if job is not None else "Analyse",
            type="primary",
            key=f"sess-go-{step.key}",
            disabled=job is not None,
        )
        if clicked and job is None:
            jobs.start(job_key, data[0], data[1],
                       symptoms=make_symptoms(state.get("answers") or {}),
                       token=(state["uid"], step.key, attempt, token), clothing=clothing)
            st.rerun()
    if job is not None:
        jobs.progress(job_key)


def _live_target(step_key: str) -> str:
    return "front" if step_key == "standing_front" else "side"


def _show_step_result(state: dict[str, Any], step: ProtocolStep, done: EngineResult,
                      attempt: int) -> None:
    """The step's outcome first (a problem, nobody in view, the wrong view with "Keep
    anyway", or a success), then "Redo this step", then the findings."""
    mismatch = None
    if done.error:
        components.problem(done.error)
    elif not components.nobody_warning(done):
        mismatch = step_mismatch(step.key, done.report)
        if mismatch and step.key not in state["kept"]:
            st.warning(
                f"**Not what this step asks for.** {mismatch} Keep it anyway, or redo the "
                "step with the right recording.",
                icon=":material/warning:",
            )
        elif mismatch:
            st.info(f"Kept although it is not what this step asks for: {mismatch}",
                    icon=":material/info:")
        else:
            st.success(f"Analysed {done.source_name}: it shows {STEP_BY_KEY[step.key].asks}.")
    cols = iter(st.columns([1.2, 1.2, 2]))
    if mismatch and step.key not in state["kept"] and next(cols).button(
        "Keep anyway", key=f"sess-keep-anyway-{step.key}", icon=":material/check:"
    ):
        state["kept"].append(step.key)
        st.rerun()
    if next(cols).button("Redo this step", key=f"sess-redo-{step.key}",
                         icon=":material/replay:"):
        _redo(state, step.key, attempt)
        st.rerun()
    if done.ok and not nobody_in_view(done.report):
        results.show_result(done, key=f"sess-{step.key}", compact=True)


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
        _set_step(state, step_key, result_from_live(snap.report, snap.frame))
        st.rerun(scope="app")


def _step_problem(state: dict[str, Any], key: str) -> str | None:
    """Why a recorded step does not count (yet), or None when it counts."""
    result = state["steps"].get(key)
    if result is None:
        return None
    if not result.ok:
        return "the analysis failed"
    if nobody_in_view(result.report):
        return "nobody was found in the recording"
    if key not in state["kept"] and step_mismatch(key, result.report):
        return "the recording is not what the step asks for (keep it anyway or redo it)"
    return None


def _ok_steps(state: dict[str, Any]) -> dict[str, EngineResult]:
    """The steps that count: analysed, someone in view, and the view the step asks for
    (or kept anyway)."""
    return {
        k: r for k, r in state["steps"].items()
        if r is not None and r.ok and _step_problem(state, k) is None
    }


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
    verdicts: list[CheckVerdict], reports: dict[str, dict[str, Any]], answers: dict[str, Any]
) -> tuple[list[Any], list[Any]]:
    """(red flags, explanations) of the whole session, red flags first. Explanations rest on
    the session's verdicts (one finding per check, from the step that assessed it), so a
    step that could not see a check never outvotes the step that measured it."""
    try:
        explanations, flags = explain_reports(
            [{"findings": verdict_findings(verdicts)}], answers
        )
    except Exception:
        log.exception("combining the session's explanations failed")
        flags = _dedupe([f for r in reports.values() for f in r.get("red_flags") or []])
        explanations = []
    return flags, explanations


def _pdf_steps(
    reports: dict[str, dict[str, Any]], images: dict[str, list[tuple[str, Any]]]
) -> list[PdfStep]:
    keys = [s.key for s in PROTOCOL if s.key in reports]
    keys += [k for k in reports if k not in keys]
    return [PdfStep(TITLES.get(k, k), reports[k], images.get(k, []), key=k) for k in keys]


def _settings() -> dict[str, str]:
    try:
        return _store().get_settings()
    except StoreError as exc:  # shown once by the page; the PDF goes without clinic details
        log.warning("reading the clinic settings failed: %s", exc)
        return {}
    except Exception:
        log.exception("reading the clinic settings failed")
        return {}


def _pdf_or_empty(what: str, make: Callable[[], bytes]) -> bytes:
    """A PDF, or empty bytes (logged) when making it failed: one broken document must not
    take the other down with it."""
    try:
        return make()
    except Exception:
        log.exception("%s failed", what)
        return b""


def _pdfs_for(
    code: str,
    reports: dict[str, dict[str, Any]],
    images: dict[str, list[tuple[str, Any]]],
    answers: dict[str, Any],
    note: str,
    created_at: str | None = None,
) -> tuple[bytes, bytes]:
    """(clinician's PDF, patient handout PDF); empty bytes for one that failed (logged)."""
    verdicts = session_verdicts(reports)
    flags, explanations = _combined(verdicts, reports, answers)
    settings = _settings()
    shared = {"created_at": created_at, "red_flags": flags, "explanations": explanations,
              "clinic": settings.get("clinic", ""), "clinician": settings.get("clinician", "")}
    clinician = _pdf_or_empty("session PDF", lambda: session_pdf(
        code, _pdf_steps(reports, images), symptoms_lines=_symptom_lines(answers), note=note,
        **shared))
    handout = _pdf_or_empty("patient handout PDF",
                            lambda: patient_handout_pdf(code, verdicts, **shared))
    return clinician, handout


def _pdf_buttons(code: str, pdfs: tuple[bytes, bytes], stamp: str, key: str) -> None:
    clinician, handout = pdfs
    left, right = st.columns(2)
    left.download_button(
        "Download PDF report",
        clinician,
        file_name=f"{code}-{stamp}-screening.pdf",
        mime="application/pdf",
        key=f"{key}-pdf",
        on_click="ignore",
        disabled=not clinician,
        icon=":material/picture_as_pdf:",
        help="For the clinician: summary table on page 1, then each step.",
    )
    right.download_button(
        "Download patient handout",
        handout,
        file_name=f"{code}-{stamp}-handout.pdf",
        mime="application/pdf",
        key=f"{key}-handout",
        on_click="ignore",
        disabled=not handout,
        icon=":material/description:",
        help="One short page in plain words for the patient.",
    )


# --- comparison -----------------------------------------------------------------------------


def _step_pictures(record: SessionRecord) -> dict[str, list[Any]]:
    pictures: dict[str, list[Any]] = {}
    for media in record.media:
        if media.kind.startswith("key_frame") and media.path.is_file():
            pictures.setdefault(media.step_key, []).append(media.path)
    return pictures


def _comparison(store: SessionStore, session_id: int) -> None:
    """This session against another of the patient's: what changed per check, the key
    frames aligned at the feet, the walks in step, the trends, the PDF with the comparison
    page (``ui.compare``). In the history any two sessions can be picked."""
    from ui import compare

    key = compare.comparison_key(session_id)
    pair = compare.pick_sessions(store, session_id, key)
    if pair is None:
        if store.previous_session(session_id) is None:
            st.caption("No earlier session of this patient to compare with.")
        return
    previous, current = pair
    st.subheader(f"Compared with the session of {human_datetime(previous.created_at)}")
    st.caption(
        f"Session no. {previous.id} of {human_datetime(previous.created_at)} (before) and "
        f"no. {current.id} of {human_datetime(current.created_at)} (now). Twins of a session "
        "(the same recordings saved twice) are skipped."
    )
    checks = compare_verdicts(previous.steps, current.steps)
    changed = [r for r in checks if r.changed]
    if changed:
        st.table([
            {"check": r.item, "before": r.before, "now": r.after, "change": r.change}
            for r in changed
        ], hide_index=True)
    else:
        st.info("No check changed its verdict or value between the two sessions.")
    same = [r.item for r in checks if not r.changed]
    if same:
        st.caption("Unchanged: " + "; ".join(same) + ".")
    rows = [
        {
            "step": TITLES.get(r.step_key, r.step_key),
            "item": r.item,
            "before": r.before,
            "now": r.after,
            "change": r.change,
        }
        for r in compare_steps(previous.steps, current.steps)
        if r.changed
    ]
    if rows:
        with st.expander(f"Every value that changed, step by step ({len(rows)})"):
            st.table(rows, hide_index=True)

    def pdf_with(record: SessionRecord, page: Any) -> bytes:
        # The later session's report as the history's download makes it, plus the page.
        verdicts = session_verdicts(record.steps)
        flags, explanations = _combined(verdicts, record.steps, record.symptoms)
        settings = _settings()
        steps = _pdf_steps(record.steps, _stored_images(record))
        shared = {"created_at": record.created_at, "red_flags": flags,
                  "explanations": explanations, "symptoms_lines": _symptom_lines(record.symptoms),
                  "note": record.note, "clinic": settings.get("clinic", ""),
                  "clinician": settings.get("clinician", "")}
        try:
            return session_pdf(record.patient_code, steps, comparison=page, **shared)
        except Exception:
            log.exception("the comparison page failed; the report goes without it")
            return session_pdf(record.patient_code, steps, **shared)

    try:
        compare.before_after(store, previous, current, key, make_pdf=pdf_with)
    except Exception:
        compare.note_error("before/after comparison")


# --- the report -----------------------------------------------------------------------------


def _signature(state: dict[str, Any], note: str) -> str:
    ok = _ok_steps(state)
    # Corrections and on-image tools change a result in place: they count as changes too.
    marks = sorted((k, len(r.review.corrections) if r.review else 0, r.tools)
                   for k, r in ok.items())
    return json.dumps(
        [sorted((k, id(r)) for k, r in ok.items()), note, state.get("answers") or {}, marks],
        sort_keys=True, default=str,
    )


def _save(state: dict[str, Any], ok: dict[str, EngineResult], note: str) -> bool:
    """Save (or update) the session; True when it was stored."""
    code = state.get("code", "")
    reports = {k: r.report for k, r in ok.items()}
    try:
        media: dict[str, dict[str, bytes]] = {}
        for key, result in ok.items():
            files: dict[str, bytes] = {}
            if result.annotated_video:
                files["annotated_video.mp4"] = result.annotated_video
            for i, (_, _, img) in enumerate(result.key_frames):
                files[f"key_frame_{i}.png"] = _png(img)
            media[key] = files
        # Corrections (originals beside corrected), plumb line, goniometer and the key
        # frame's landmarks (to align two sessions' key frames at the feet).
        annotations = {key: marks for key, result in ok.items()
                       if (marks := session_annotations(result))}
        state["saved_id"] = _store().save_session(
            code, reports, symptoms=state.get("answers") or {}, note=note, media=media,
            session_uid=state["uid"], annotations=annotations,
        )
        state["saved_sig"] = _signature(state, note)
        return True
    except StoreError as exc:
        components.problem(str(exc))
    except Exception:
        log.exception("saving the session failed")
        components.problem("Sorry, the session could not be saved. The problem has been logged.")
    return False


def _review_stage(state: dict[str, Any]) -> None:
    code = state.get("code", "")
    st.subheader(f"Session report for {code}")
    ok = _ok_steps(state)
    answers = state.get("answers") or {}
    reports = {k: r.report for k, r in ok.items()}
    verdicts = session_verdicts(reports)
    flags, explanations = _combined(verdicts, reports, answers)
    components.red_flags_box(flags, heading="Warning signs: refer to a doctor")
    missing = [s.title for s in PROTOCOL if s.key not in state["steps"]]
    if missing:
        st.warning("Not recorded yet: " + ", ".join(missing) + ".")
    for step in PROTOCOL:
        if problem := _step_problem(state, step.key):
            st.warning(f"{step.title} does not count: {problem}.")
    if reports:
        components.session_verdicts_table(verdicts)
        for step in PROTOCOL:
            if step.key in ok:
                with st.expander(f"{step.title}: the step's own findings"):
                    results.show_result(ok[step.key], key=f"review-{step.key}", compact=True,
                                        reviewable=False)
    components.explanations_section(explanations, clinician=True)
    note = st.text_area("Physiotherapist's note", key="sess-note", height=120)
    images = {k: [(cap, img) for _, cap, img in r.key_frames] for k, r in ok.items()}
    if st.button("Save session", type="primary", key="sess-save", disabled=not ok,
                 icon=":material/save:") and _save(state, ok, note):
        st.rerun()  # the page, its header included, shows the saved state
    pdfs = _pdfs_for(code, reports, images, answers, note) if ok else (b"", b"")
    _pdf_buttons(code, pdfs, "session", "sess")
    if state.get("saved_id"):
        record = _store().get_session(state["saved_id"])
        when = human_datetime(record.created_at)
        if state.get("saved_sig") != _signature(state, note):
            st.info(f"Changed since it was saved: press Save session again to update session "
                    f"no. {record.id} of {when}.")
        else:
            again = f", updated {human_datetime(record.updated_at)}" if record.updated_at else ""
            st.success(f"Session saved: no. {record.id} of {when}{again}. Saving again updates "
                       "this session; 'New session' starts the next visit.")
        _comparison(_store(), state["saved_id"])
    components.disclaimer()


def _session_bar(state: dict[str, Any]) -> None:
    done = set(_ok_steps(state))
    left, right = st.columns([4, 1.4])
    saved = state.get("saved_id")
    left.caption(
        ("Saved as session no. " + str(saved) + " · " if saved else "Not saved yet · ")
        + "Recorded: " + (", ".join(s.title for s in PROTOCOL if s.key in done) or "nothing yet")
    )
    right.button("New session", key="sess-new", on_click=_start_new_session,
                 icon=":material/add:", help="Start the next visit of this patient afresh.")


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
        fresh = _fresh(code, int(state.get("round") or 0) + 1)
        state.clear()
        state.update(fresh)
    if msg := st.session_state.pop("sess-flash", None):
        st.success(msg)
    _session_bar(state)
    stage = st.radio("Step", STAGES, horizontal=True, key="sess-stage")
    index = STAGES.index(stage)
    if index == 0:
        _symptom_stage(state)
    elif index <= len(PROTOCOL):
        _step_stage(state, PROTOCOL[index - 1])
    else:
        _review_stage(state)
    _nav_buttons(index)


# --- history --------------------------------------------------------------------------------


def _stored_images(record: SessionRecord) -> dict[str, list[tuple[str, Any]]]:
    images: dict[str, list[tuple[str, Any]]] = {}
    for media in record.media:
        if media.kind.startswith("key_frame") and media.path.is_file():
            images.setdefault(media.step_key, []).append(("key frame", media.path))
    return images


def _show_record(store: SessionStore, record: SessionRecord) -> None:
    verdicts = session_verdicts(record.steps)
    flags, explanations = _combined(verdicts, record.steps, record.symptoms)
    components.red_flags_box(flags, heading="Warning signs: refer to a doctor")
    components.session_verdicts_table(verdicts)
    images = _stored_images(record)
    stored_marks = getattr(record, "annotations", None) or {}
    for key, report in record.steps.items():
        marks = stored_marks.get(key) or {}
        with st.expander(f"{TITLES.get(key, key)}: the step's own findings"):
            components.summary_line(report)
            components.how_measured(report)
            review_ui.corrections_box(report, f"hist-{record.id}-{key}")
            components.findings_list(report, [], key=f"hist-{record.id}-{key}")
            for line in tools_text(marks):
                st.markdown(f"**{line}**")
            if images.get(key):
                components.evidence_pictures([("Key frame", _marked(p, marks))
                                              for _, p in images[key]])
    components.explanations_section(explanations, clinician=True)
    if record.note:
        st.markdown(f"**Note:** {record.note}")
    pdfs = _pdfs_for(
        record.patient_code,
        record.steps,
        images,
        record.symptoms,
        record.note,
        created_at=record.created_at,
    )
    _pdf_buttons(record.patient_code, pdfs, record.created_at[:10], f"hist-{record.id}")
    _comparison(store, record.id)


def _marked(path: Any, marks: dict[str, Any]) -> Any:
    """A stored key frame with the step's plumb line and goniometer drawn on it (the path
    itself when there is nothing to draw or it cannot be read)."""
    if not (marks.get("plumb_line") or marks.get("goniometer")):
        return path
    try:
        with Image.open(path) as im:
            return draw_tools(np.asarray(im.convert("RGB")), marks)
    except Exception:
        log.exception("drawing the stored tools on %s failed", path)
        return path


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
        s.id: f"{human_datetime(s.created_at)} · {len(s.steps)} step(s) · no. {s.id}"
        for s in sessions
    }
    chosen = st.radio("Session", list(labels), format_func=labels.get, key=f"hist-sess-{code}")
    record = next((s for s in sessions if s.id == chosen), None)
    if record is not None:
        from ui.compare import IN_HISTORY

        # Its comparison offers any two of the patient's sessions (default: this one and
        # the one before).
        token = IN_HISTORY.set(True)
        try:
            _show_record(store, record)
        finally:
            IN_HISTORY.reset(token)
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


def _clinic_settings() -> None:
    """Clinic and clinician names for the PDF: set once, kept in the session database."""
    settings = _settings()
    title = "Clinic details for the reports"
    if settings.get("clinic") or settings.get("clinician"):
        title += ": " + ", ".join(v for v in (settings.get("clinic"),
                                              settings.get("clinician")) if v)
    with (st.expander(title, icon=":material/local_hospital:"),
          st.form("sess-clinic-form", border=False)):
        clinic = st.text_input("Clinic", value=settings.get("clinic", ""), key="sess-clinic")
        clinician = st.text_input("Clinician", value=settings.get("clinician", ""),
                                  key="sess-clinician")
        if st.form_submit_button("Save clinic details"):
            try:
                _store().set_settings({"clinic": clinic, "clinician": clinician})
            except StoreError as exc:
                components.problem(str(exc))
            else:
                st.session_state["sess-flash-clinic"] = "Clinic details saved."
                st.rerun()
    if msg := st.session_state.pop("sess-flash-clinic", None):
        st.success(msg)


def page() -> None:
    st.header("Screening session")
    if msg := st.session_state.pop("hist-deleted", None):
        st.success(msg)
    _clinic_settings()
    new_tab, history_tab = st.tabs(["New session", "Patient history"])
    # An unreachable or refused database (a shared server down, a newer schema) is one
    # sentence here, never a traceback; the store says which and why.
    with new_tab:
        try:
            _new_session()
        except StoreError as exc:
            components.problem(str(exc))
    with history_tab:
        try:
            _history()
        except StoreError as exc:
            components.problem(str(exc))
