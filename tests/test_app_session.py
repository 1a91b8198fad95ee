"""The screening-session mode in AppTest: patient code, questionnaire, save, compare, delete.

AppTest cannot drive a file uploader, so each step's result is made by the app's own engine
adapter from the project's synthetic subjects and put where the upload would have put it.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store import SessionStore
from ui.engine import analyse_file

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SYNTHETIC = ROOT / "tests" / "data" / "synthetic"


def _result(name: str):  # noqa: ANN202
    path = SYNTHETIC / name
    if not path.is_file():
        pytest.skip(f"synthetic subject {name} not found")
    result = analyse_file(path)
    assert result.ok, result.error
    return result


@pytest.fixture(scope="module")
def results() -> dict:
    return {
        "hyper": _result("stand_side_left_hyperext15_f3.png"),
        "neutral": _result("stand_side_left_neutral_f1.png"),
        "front": _result("stand_front_weight_left_f1.png"),
    }


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "sessions.sqlite3"
    monkeypatch.setenv("POSTURE_DB", str(path))
    return path


def _open_session(code: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["mode"] = "session"
    at.run()
    at.text_input(key="sess-code").input(code).run()
    return at


def _flat(node) -> list:  # noqa: ANN001
    """Every element under ``node`` in screen order."""
    out = []
    for child in getattr(node, "children", {}).values():
        out.append(child)
        out.extend(_flat(child))
    return out


def test_patient_code_must_be_a_pseudonym(db: Path) -> None:
    at = _open_session("Anna Schmidt")
    assert not at.exception
    assert "letters, digits" in at.error[0].value
    assert not any(r.key == "sess-stage" for r in at.radio)
    at.text_input(key="sess-code").input("P-0042").run()
    assert not at.error
    assert at.radio(key="sess-stage").options[0] == "Symptoms"
    assert at.radio(key="sess-stage").options[-1] == "Report"


def test_red_flag_questions_come_first_and_red_flags_show_above_them(db: Path) -> None:
    from posture.explanations import red_flag_questions, symptom_questions

    at = _open_session("P-1")
    question_radios = [r for r in at.radio if r.key and r.key.startswith("sess-q-")]
    asked = [r.key.removeprefix("sess-q-") for r in question_radios]
    choice_fields = [q.field for q in symptom_questions() if q.choices]
    assert asked == choice_fields
    flag_fields = [q.field for q in red_flag_questions()]
    assert asked[: len(flag_fields)] == flag_fields
    assert not at.error

    at.radio(key="sess-q-breathless_or_chest_pain").set_value("yes").run()
    assert not at.exception
    assert len(at.error) >= 1
    flag_box = at.error[0]
    assert "Emergency" in flag_box.value
    order = _flat(at.main)
    first_question = next(
        i for i, el in enumerate(order) if getattr(el, "key", None) == question_radios[0].key
    )
    flag_index = next(i for i, el in enumerate(order) if el is flag_box or el == flag_box)
    assert flag_index < first_question

    at.radio(key="sess-q-breathless_or_chest_pain").set_value("no").run()
    assert not at.error
    assert any("No warning signs" in s.value for s in at.success)


def _put_steps(at: AppTest, code: str, steps: dict, **extra) -> None:
    """Put analysed steps where the step stages would have put them (same session uid)."""
    state = dict(at.session_state["screening"]) if "screening" in at.session_state else {}
    state.update({"steps": dict(steps), "code": code, **extra})
    state.setdefault("attempt", {})
    state.setdefault("saved_id", None)
    at.session_state["screening"] = state


def _save_session(at: AppTest, code: str, steps: dict, note: str) -> None:
    _put_steps(at, code, steps)
    at.radio(key="sess-stage").set_value("Report").run()
    at.text_area(key="sess-note").input(note).run()
    at.button(key="sess-save").click().run()
    assert not at.exception


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "warning", "info", "success", "error", "table"):
        for el in getattr(at, kind):
            value = el.value
            parts.append(value.to_string() if hasattr(value, "to_string") else str(value))
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


DATE_TIME = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, "
                       r"\d{2}:\d{2}\b")


def test_save_compare_and_delete_a_patient(db: Path, results: dict) -> None:
    at = _open_session("P-7")
    steps = {"standing_side": results["hyper"], "standing_front": results["front"]}
    _save_session(at, "P-7", steps, "first visit")
    assert any("Session saved" in s.value for s in at.success)
    assert any("No earlier session" in c.value for c in at.caption)
    # the on-screen report lists the steps not recorded
    assert any("Walking, side-on" in w.value for w in at.warning)

    store = SessionStore(db)
    [first] = store.list_sessions("P-7")
    assert first.note == "first visit"
    assert set(first.steps) == {"standing_side", "standing_front"}
    hyper = next(f for f in first.steps["standing_side"]["findings"]
                 if f["id"] == "knee_hyperextension")
    assert hyper["status"] == "detected"
    assert all(m.path.is_file() for m in first.media)

    # a second visit, knees now neutral: the comparison shows what changed and by how much
    at2 = _open_session("P-7")
    _save_session(at2, "P-7", {"standing_side": results["neutral"]}, "second visit")
    heading = next(h.value for h in at2.subheader if h.value.startswith("Compared with"))
    assert DATE_TIME.search(heading), heading  # named by date and time, not an ISO stamp
    [compare] = [t.value for t in at2.table if "change" in t.value.columns
                 and "check" in t.value.columns]
    row = compare[compare["check"].str.contains("hyperextension")].iloc[0]
    assert row["before"].startswith("Seen") and row["now"].startswith("Not seen")
    assert "(Standing, side-on)" in row["now"]
    after_value = next(
        f for f in results["neutral"].report["findings"] if f["id"] == "knee_hyperextension"
    )["value"]
    assert row["change"] == f"+{after_value - hyper['value']:.1f}°"

    # history tab: pick the patient, see both sessions, delete everything for good
    at2.selectbox(key="hist-patient").select("P-7").run()
    sessions_radio = at2.radio(key="hist-sess-P-7")
    assert len(sessions_radio.options) == 2
    assert all(DATE_TIME.search(str(o)) for o in sessions_radio.options), sessions_radio.options
    media_dir = store.media_dir / "P-7"
    assert media_dir.is_dir()
    assert at2.button(key="hist-del-P-7").disabled
    at2.checkbox(key="hist-sure-P-7").check().run()
    at2.button(key="hist-del-P-7").click().run()
    assert not at2.exception
    assert any("Deleted P-7: 2 session(s)" in s.value for s in at2.success)
    assert store.list_patients() == []
    assert not media_dir.exists()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM steps").fetchone()[0] == 0
    conn.close()


def test_redo_clears_a_step(db: Path, results: dict) -> None:
    at = _open_session("P-8")
    _put_steps(at, "P-8", {"standing_side": results["hyper"]})
    at.radio(key="sess-stage").set_value("Standing, side-on").run()
    assert any("Analysed" in s.value for s in at.success)
    at.button(key="sess-redo-standing_side").click().run()
    assert not at.exception
    assert "standing_side" not in at.session_state["screening"]["steps"]
    assert at.session_state["screening"]["attempt"]["standing_side"] == 1
    assert at.radio(key="sess-how-standing_side").value == "Upload a video or photo"


def test_changing_patient_starts_a_clean_session(db: Path, results: dict) -> None:
    at = _open_session("P-9")
    _put_steps(at, "P-9", {"standing_side": results["hyper"]})
    at.run()
    at.text_input(key="sess-code").input("P-10").run()
    assert at.session_state["screening"]["steps"] == {}


# --------------------------------------------------------------------------------------------
# 1. The session's verdict per check comes from the step that can assess it


@pytest.fixture(scope="module")
def walk() -> object:
    return _result("walk_side_left_normal_f1.mp4")


# Answers that made the old combined report say "could not check this ... it would need a
# side view" (the front step's "not assessable" outvoting the side-on steps).
BENT_KNEE_ANSWERS = {"painful_side": "both", "long_sitting_bent_knees": True,
                     "thigh_back_pain": True, "front_thigh_knee_or_low_back_pain": True}


def test_the_summary_takes_each_check_from_the_step_that_assessed_it(
    db: Path, results: dict, walk
) -> None:
    at = _open_session("P-11")
    _put_steps(at, "P-11", {"standing_side": results["hyper"], "standing_front": results["front"],
                            "walking_side": walk}, answers=BENT_KNEE_ANSWERS)
    at.radio(key="sess-stage").set_value("Report").run()
    assert not at.exception
    [table] = [t.value for t in at.table if "from step" in t.value.columns]
    rows = {r["check"]: r for _, r in table.iterrows()}
    hollow = next(r for c, r in rows.items() if c.startswith("Hollow back"))
    assert hollow["verdict"] == "Not seen" and hollow["from step"] == "Standing, side-on"
    hyper = next(r for c, r in rows.items() if c.startswith("Knees pressed back"))
    assert hyper["verdict"] == "Seen" and hyper["from step"] == "Standing, side-on"
    assert hyper["other steps"].startswith("Walking, side-on: not seen")
    bent = next(r for c, r in rows.items() if c.startswith("Bent knees"))
    assert bent["verdict"] == "Not seen"
    weight = next(r for c, r in rows.items() if c.startswith("Weight"))
    assert weight["verdict"] == "Seen" and weight["from step"] == "Standing, facing the camera"
    motion = next(r for c, r in rows.items() if "pelvis" in c)
    assert motion["from step"] == "Walking, side-on" and "arm swing" in motion["check"]
    assert not any(r["verdict"] in ("Not assessable", "Not recorded") for r in rows.values())
    text = _texts(at)
    assert "would need" not in text and "could not check" not in text
    # the explanations are written about the patient, not to them
    assert "The camera measured" in text
    assert "your weight" not in text and "their weight" in text


def test_a_check_no_step_could_assess_says_which_step_it_needs(db: Path, results: dict) -> None:
    at = _open_session("P-12")
    _put_steps(at, "P-12", {"standing_side": results["hyper"]})
    at.radio(key="sess-stage").set_value("Report").run()
    [table] = [t.value for t in at.table if "from step" in t.value.columns]
    weight = table[table["check"].str.startswith("Weight")].iloc[0]
    assert weight["verdict"] == "Not recorded"
    assert "needs the step 'Standing, facing the camera'" in weight["other steps"]


# --------------------------------------------------------------------------------------------
# 2. Saving is idempotent; "New session" starts the next visit


def test_a_second_click_on_save_updates_the_same_session(db: Path, results: dict) -> None:
    at = _open_session("P-13")
    _save_session(at, "P-13", {"standing_side": results["hyper"]}, "first visit")
    first_id = at.session_state["screening"]["saved_id"]
    at.text_area(key="sess-note").input("first visit, knees locked").run()
    assert any("Changed since it was saved" in i.value for i in at.info)
    at.button(key="sess-save").click().run()
    assert not at.exception
    assert at.session_state["screening"]["saved_id"] == first_id
    [saved] = SessionStore(db).list_sessions("P-13")
    assert saved.id == first_id and saved.note == "first visit, knees locked"
    assert saved.updated_at is not None
    assert any(f"no. {first_id} of" in s.value and "updated" in s.value for s in at.success)
    assert all(DATE_TIME.search(s.value) for s in at.success if "Session saved" in s.value)

    # "New session": the same patient, nothing recorded, a fresh session id once saved
    old_uid = at.session_state["screening"]["uid"]
    at.button(key="sess-new").click().run()
    assert not at.exception
    state = at.session_state["screening"]
    assert state["code"] == "P-13" and state["steps"] == {} and state["saved_id"] is None
    assert state["uid"] != old_uid
    assert at.radio(key="sess-stage").value == "Symptoms"
    assert any("new session" in s.value.lower() for s in at.success)
    _save_session(at, "P-13", {"standing_side": results["neutral"]}, "second visit")
    second_id = at.session_state["screening"]["saved_id"]
    assert second_id != first_id
    assert [s.id for s in SessionStore(db).list_sessions("P-13")] == [second_id, first_id]
    # and it is compared with the first one
    [compare] = [t.value for t in at.table if "check" in t.value.columns
                 and "change" in t.value.columns]
    assert compare["check"].str.contains("hyperextension").any()


# --------------------------------------------------------------------------------------------
# 3. Clear states: wrong view, nobody in view, stale results, no restart


def test_a_recording_with_the_wrong_view_is_flagged_before_saving(db: Path,
                                                                   results: dict) -> None:
    at = _open_session("P-14")
    _put_steps(at, "P-14", {"standing_side": results["front"]})
    at.radio(key="sess-stage").set_value("Standing, side-on").run()
    assert not at.exception
    [warning] = [w.value for w in at.warning if "Not what this step asks for" in w.value]
    assert "standing side-on" in warning and "facing the camera" in warning
    assert not any("Analysed" in s.value for s in at.success)
    # not counted until kept: the report says so and there is nothing to save
    at.radio(key="sess-stage").set_value("Report").run()
    assert any("does not count" in w.value for w in at.warning)
    assert at.button(key="sess-save").disabled
    at.radio(key="sess-stage").set_value("Standing, side-on").run()
    at.button(key="sess-keep-anyway-standing_side").click().run()
    assert not at.exception
    assert at.session_state["screening"]["kept"] == ["standing_side"]
    assert any("Kept although" in i.value for i in at.info)
    at.radio(key="sess-stage").set_value("Report").run()
    assert not at.button(key="sess-save").disabled


@pytest.fixture(scope="module")
def nobody(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from PIL import Image

    path = tmp_path_factory.mktemp("empty") / "empty_room.png"
    Image.new("RGB", (480, 640), (120, 130, 140)).save(path)
    result = analyse_file(path)
    assert result.ok and result.report["summary"]["person_found"] is False
    return result


def test_nobody_in_view_is_a_warning_in_a_step(db: Path, nobody) -> None:
    at = _open_session("P-15")
    _put_steps(at, "P-15", {"standing_side": nobody})
    at.radio(key="sess-stage").set_value("Standing, side-on").run()
    assert not at.exception
    assert any("Nobody was found" in w.value for w in at.warning)
    assert not at.success
    assert not [b for b in at.get("download_button")]
    assert not any((getattr(el, "key", None) or "").startswith("card-") for el in _flat(at.main))


def _upload_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["mode"] = "upload"
    return at


def test_the_upload_page_asks_what_the_person_wears_on_their_legs() -> None:
    at = _upload_page()
    at.run()
    assert not at.exception
    choice = next(s for s in at.selectbox if s.label == "Clothing on the legs")
    assert choice.value == "not_stated"
    assert choice.options == ["Not stated", "Shorts or close-fitting leggings",
                              "Long trousers", "Loose trousers or a skirt"]


def test_nobody_in_view_is_a_warning_on_the_upload_page(nobody) -> None:
    at = _upload_page()
    at.session_state["upload-result"] = (None, nobody)
    at.run()
    assert not at.exception
    assert any("Nobody was found" in w.value for w in at.warning)
    assert not at.success  # no green "Analysed"
    assert not at.get("download_button")  # no empty downloads
    assert not any(h.value == "Findings" for h in at.subheader)


def test_a_result_is_dropped_when_the_file_changes(results: dict) -> None:
    at = _upload_page()
    at.session_state["upload-result"] = (None, results["hyper"])
    at.run()
    assert any("Analysed" in s.value for s in at.success)
    # the result was made from another file than the one now chosen (none): it goes
    at.session_state["upload-result"] = ("an-earlier-file-id", results["hyper"])
    at.run()
    assert not at.exception
    assert not at.success and "upload-result" not in at.session_state
    assert not any(h.value == "Findings" for h in at.subheader)


def test_an_analysis_under_way_cannot_be_started_twice() -> None:
    import threading

    from ui.engine import EngineResult
    from ui.jobs import AnalysisJob

    release = threading.Event()
    calls = []

    def slow(data, name, *, symptoms=None, progress=None, clothing=None):  # noqa: ANN001, ANN202
        calls.append(name)
        progress(0.5)
        release.wait(10)
        return EngineResult(report={"summary": {}}, source_name=name)

    job = AnalysisJob(b"x", "a.mp4", analyse=slow, token=None)
    at = _upload_page()
    at.session_state["upload-job"] = job
    at.run()
    assert not at.exception
    bars = [el.proto.text for el in _flat(at.main) if getattr(el, "type", "") == "progress"]
    assert bars and "Analysing a.mp4: 50% done" in bars[0]
    assert not at.get("button")  # nothing to press: no file chosen, analysis under way
    at.run()  # any rerun (another click) leaves the running analysis alone
    assert at.session_state["upload-job"] is job and calls == ["a.mp4"]
    release.set()
    assert job.wait(10).source_name == "a.mp4"


def test_bmp_photos_are_accepted_as_the_engine_says() -> None:
    from ui.upload import IMAGE_TYPES

    assert "bmp" in IMAGE_TYPES  # the engine's message for an unreadable file offers BMP


# --------------------------------------------------------------------------------------------
# 6. How this was measured


def _show_result(result) -> None:  # noqa: ANN001
    from ui.results import show_result

    show_result(result, key="t")


def test_how_this_was_measured_says_who_when_frames_camera_and_what_numbers_mean(
    walk,
) -> None:
    at = AppTest.from_function(_show_result, kwargs={"result": walk}, default_timeout=60)
    at.run()
    assert not at.exception
    # (AppTest files an expander with an icon under "status")
    [panel] = [e for e in [*at.expander, *at.status] if e.label == "How this was measured"]
    text = " ".join(m.value for m in panel.markdown)
    assert "Who was followed:" in text and "tracked" in text
    assert "**When:** from 0.0 s to" in text
    frames = walk.report["summary"]["frames_analysed"]
    assert f"Frames used:** {frames} analysed" in text
    assert "Leg swaps corrected" in text
    assert "Camera view:** side-on, left side towards the camera" in text
    assert "off the axis" in text and "roll" in text
    assert "Confidence." in text and "Uncertain." in text and "Severity." in text


# --------------------------------------------------------------------------------------------
# 7. Clinic and clinician: set once, kept, on the clinician's PDF


def test_clinic_details_are_set_once_and_kept(db: Path, results: dict) -> None:
    at = _open_session("P-16")
    at.text_input(key="sess-clinic").input("Physio am Markt")
    at.text_input(key="sess-clinician").input("A. Weber")
    next(b for b in at.button if b.label == "Save clinic details").click().run()
    assert not at.exception
    assert SessionStore(db).get_settings() == {"clinic": "Physio am Markt",
                                               "clinician": "A. Weber"}
    assert any("Clinic details saved" in s.value for s in at.success)
    again = _open_session("P-16")  # another browser session, later
    assert again.text_input(key="sess-clinic").value == "Physio am Markt"
    assert any("Physio am Markt, A. Weber" in e.label for e in [*again.expander, *again.status])
    # both PDFs are offered for the session
    _put_steps(again, "P-16", {"standing_side": results["hyper"]})
    again.radio(key="sess-stage").set_value("Report").run()
    labels = [b.label for b in again.get("download_button")]
    assert labels == ["Download PDF report", "Download patient handout"]


# --------------------------------------------------------------------------------------------
# 5. Evidence: worst first, large enough to read, click to enlarge


def _card(finding: dict, pictures: list) -> None:
    from ui.components import finding_card

    finding_card(finding, pictures, key="t")


def test_evidence_pictures_are_large_and_can_be_enlarged() -> None:
    import numpy as np

    pictures = [(f"frame {i}", np.full((300, 200, 3), 40 * i, np.uint8)) for i in range(3)]
    finding = {"id": "bent_knee", "status": "detected", "severity": "mild", "value": 12.0,
               "unit": "deg", "threshold": 10.0, "confidence": 0.8, "side": "left"}
    at = AppTest.from_function(_card, kwargs={"finding": finding, "pictures": pictures},
                               default_timeout=60)
    at.run()
    assert not at.exception
    [enlarge] = [e for e in [*at.expander, *at.status] if e.label.startswith("Enlarge")]
    assert enlarge.label == "Enlarge the pictures (3, worst first)"
    images = [el for el in _flat(at.main) if getattr(el, "type", "") == "image"]
    # two side by side (half the width each), then all three full width in the expander
    assert len(images) == 5


def test_answers_survive_going_to_another_stage_and_back(db: Path) -> None:
    at = _open_session("P-17")
    at.radio(key="sess-q-swelling_one_leg").set_value("yes").run()
    at.radio(key="sess-stage").set_value("Report").run()
    assert any("Warning signs" in e.value for e in at.error)
    at.radio(key="sess-stage").set_value("Symptoms").run()
    assert not at.exception
    assert at.radio(key="sess-q-swelling_one_leg").value == "yes"
    assert at.session_state["screening"]["answers"] == {"swelling_one_leg": True}
    assert any("Warning signs" in e.value for e in at.error)
    # a new session starts with no answers
    at.button(key="sess-new").click().run()
    assert at.radio(key="sess-q-swelling_one_leg").value is None


def test_an_unreachable_shared_database_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    # A clinic's server that is down (nothing listens on port 1): the page still opens, the
    # history says what is wrong in one sentence, and no exception reaches the screen.
    monkeypatch.setenv("POSTURE_DB", "postgresql://clinic@127.0.0.1:1/posture")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["mode"] = "session"
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and all("\n" not in e.strip() for e in errors), errors
    assert any("127.0.0.1" in e or "database" in e.lower() for e in errors), errors
