"""The screening-session mode in AppTest: patient code, questionnaire, save, compare, delete.

AppTest cannot drive a file uploader, so each step's result is made by the app's own engine
adapter from the project's synthetic subjects and put where the upload would have put it.
"""

from __future__ import annotations

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


def _save_session(at: AppTest, code: str, steps: dict, note: str) -> None:
    at.session_state["screening"] = {"steps": steps, "attempt": {}, "saved_id": None, "code": code}
    at.radio(key="sess-stage").set_value("Report").run()
    at.text_area(key="sess-note").input(note).run()
    at.button(key="sess-save").click().run()
    assert not at.exception


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
    [compare] = [d.value for d in at2.dataframe if "change" in d.value.columns]
    row = compare[compare["item"].str.contains("hyperextension")].iloc[0]
    assert row["before"].startswith("Seen") and row["now"].startswith("Not seen")
    before_value, after_value = hyper["value"], next(
        f for f in results["neutral"].report["findings"] if f["id"] == "knee_hyperextension"
    )["value"]
    assert row["change"] == f"+{after_value - before_value:.1f}°"

    # history tab: pick the patient, see both sessions, delete everything for good
    at2.selectbox(key="hist-patient").select("P-7").run()
    sessions_radio = at2.radio(key="hist-sess-P-7")
    assert len(sessions_radio.options) == 2
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
    at.session_state["screening"] = {
        "steps": {"standing_side": results["hyper"]}, "attempt": {}, "saved_id": None,
        "code": "P-8",
    }
    at.radio(key="sess-stage").set_value("Standing, side-on").run()
    assert any("Analysed" in s.value for s in at.success)
    at.button(key="sess-redo-standing_side").click().run()
    assert not at.exception
    assert "standing_side" not in at.session_state["screening"]["steps"]
    assert at.session_state["screening"]["attempt"]["standing_side"] == 1
    assert at.radio(key="sess-how-standing_side").value == "Upload a video or photo"


def test_changing_patient_starts_a_clean_session(db: Path, results: dict) -> None:
    at = _open_session("P-9")
    at.session_state["screening"] = {
        "steps": {"standing_side": results["hyper"]}, "attempt": {}, "saved_id": None,
        "code": "P-9",
    }
    at.run()
    at.text_input(key="sess-code").input("P-10").run()
    assert at.session_state["screening"]["steps"] == {}
