"""A whole screening session in Chromium: code, questionnaire, three steps, save, PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from store import SessionStore
from tests.e2e.helpers import enter_patient_code

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SYNTHETIC = ROOT / "tests" / "data" / "synthetic"
STEP_FILES = {
    "standing_side": "stand_side_left_hyperext15_f3.png",
    "standing_front": "stand_front_weight_left_f1.png",
    "walking_side": "walk_side_left_normal_f1.mp4",
}


def _record_step(page, key: str, path: Path) -> None:  # noqa: ANN001
    uploader = page.locator(f'[class*="st-key-sess-up-{key}-"]')
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("button", name="Redo this step").wait_for(timeout=240_000)
    expect(page.get_by_text("Analysed").first).to_be_visible()


def test_walk_a_whole_screening_session_and_download_its_pdf(app_server, page, shot):
    files = {k: SYNTHETIC / n for k, n in STEP_FILES.items()}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        pytest.skip(f"synthetic subjects not found: {missing}")
    code_box = enter_patient_code(page, app_server["url"], "Anna Smith")
    page.get_by_text("may only use letters, digits").wait_for()
    code_box.fill("E2E-01")
    code_box.press("Enter")

    # questionnaire: a red-flag answer shows the warning box at once, above the questions
    page.get_by_text("Warning signs (answer these first)").wait_for()
    swelling = page.locator('[class*="st-key-sess-q-swelling_one_leg"]')
    swelling.get_by_text("yes", exact=True).click()
    flag_box = page.get_by_text("Warning signs: refer to a doctor")
    flag_box.wait_for()
    first_question = page.locator('[class*="st-key-sess-q-"]').first
    assert flag_box.bounding_box()["y"] < first_question.bounding_box()["y"]
    shot(page, "session-questionnaire")
    page.get_by_role("button", name="Next").click()

    for key in ("standing_side", "standing_front", "walking_side"):
        _record_step(page, key, files[key])
        if key == "standing_side":
            shot(page, "session-step-standing-side")
        page.get_by_role("button", name="Next").click()

    page.get_by_role("heading", name="Session report for E2E-01").wait_for()
    expect(page.get_by_text("Warning signs: refer to a doctor").first).to_be_visible()
    note = page.get_by_role("textbox", name="Physiotherapist's note")
    note.fill("Stands with knees locked; recheck in 6 weeks.")
    note.blur()
    page.get_by_role("button", name="Save session").click()
    page.get_by_text("Session saved").wait_for()

    with page.expect_download() as dl:
        page.get_by_role("button", name="Download PDF report").click()
    pdf = Path(dl.value.path()).read_bytes()
    assert pdf[:5] == b"%PDF-"
    assert b"E2E-01" in pdf  # the document's subject names the patient code
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "session-report")

    store = SessionStore(app_server["db"])
    [saved] = store.list_sessions("E2E-01")
    assert set(saved.steps) == set(STEP_FILES)
    assert saved.note.startswith("Stands with knees locked")
    assert saved.symptoms == {"swelling_one_leg": True}
    assert any(m.kind == "annotated_video.mp4" and m.path.is_file() for m in saved.media)
