"""Correct a landmark with the mouse in Chromium: the engine measures again, the page marks
the values "corrected by the clinician", and a saved session keeps the correction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from store import SessionStore
from tests.e2e.helpers import enter_patient_code

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOT / "samples" / "stand_side_neutral.jpg"
EDITOR = 'iframe[title*="landmark_editor"]'


def _knee_card(page, key: str):  # noqa: ANN001, ANN202
    return page.locator(f'[class*="st-key-card-{key}-knee_hyperextension"]')


def _knee_deg(page, key: str) -> float:  # noqa: ANN001
    """The left knee's angle in the reviewed frame's table of the engine's values."""
    from playwright.sync_api import expect

    row = page.locator(f'[class*="st-key-{key}-frame-values"]').get_by_role("row").filter(
        has_text="Left knee flexion")
    expect(row).to_have_count(1)  # the page's rerun has finished (no stale table beside)
    match = re.search(r"([+-]\d+\.\d)°", row.inner_text())
    assert match, row.inner_text()
    return float(match.group(1))


def _drag_knee(page, dx_screen_px: float) -> None:  # noqa: ANN001
    """Drag the left knee's handle (the near knee of this left side view) across."""
    knee = page.frame_locator(EDITOR).locator("#lm-25 circle.handle")
    knee.wait_for()
    knee.scroll_into_view_if_needed()
    box = knee.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx_screen_px / 2, y, steps=4)
    page.mouse.move(x + dx_screen_px, y, steps=4)
    page.mouse.up()


def test_drag_the_knee_on_a_photo_changes_the_knee_angle_and_finding(app_server, page, shot):
    if not PHOTO.is_file():
        pytest.skip(f"sample photo not found: {PHOTO}")
    page.goto(app_server["url"] + "/?mode=upload")
    page.get_by_role("heading", name="Analyse a video or photo").wait_for()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(PHOTO))
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("heading", name="Review and correct the landmarks").wait_for(
        timeout=240_000)
    card = _knee_card(page, "upload")
    assert "Not seen" in card.inner_text()
    before = _knee_deg(page, "upload")

    # The subject faces image-left: pulling the knee to the right presses it back.
    _drag_knee(page, +20)
    box = page.locator('[class*="st-key-upload-corrections"]')
    box.wait_for(timeout=60_000)
    assert "Corrected by the clinician" in box.inner_text()
    assert "left knee" in box.inner_text()
    # Above the findings, a line says they hold corrected values.
    note = page.locator('[class*="st-key-upload-corrected-note"]')
    assert "Corrected by the clinician (left knee moved)" in note.inner_text()
    assert note.bounding_box()["y"] < card.bounding_box()["y"]
    after = _knee_deg(page, "upload")
    assert after < before - 10  # hyperextension reads negative
    card_text = card.inner_text()
    assert "Not seen" not in card_text and "Seen" in card_text  # the finding changed with it
    assert f"{abs(after):.0f}° past straight" in card_text
    row = box.get_by_role("row").filter(has_text="Knee flexion, left")
    assert f"{before:+.1f}" in row.inner_text() and f"{after:+.1f}" in row.inner_text()
    status = box.get_by_role("row").filter(has_text="hyperextension): finding").inner_text()
    assert "not detected" in status and re.search(r"\bdetected\s*$", status.strip())

    # Plumb line and goniometer draw on the picture.
    page.get_by_text("Plumb line", exact=True).click()
    page.frame_locator(EDITOR).locator("#plumb").wait_for(state="attached")
    page.get_by_text("Goniometer (3 points)").click()
    svg = page.frame_locator(EDITOR).locator("svg")
    svg.wait_for()
    page.wait_for_timeout(500)
    svg.scroll_into_view_if_needed()
    frame = svg.bounding_box()
    for fx, fy in ((0.58, 0.45), (0.62, 0.66), (0.58, 0.88)):
        page.mouse.click(frame["x"] + fx * frame["width"], frame["y"] + fy * frame["height"])
        page.wait_for_timeout(200)
    reading = page.get_by_text(re.compile(r"Goniometer: \d+\.\d°"))
    reading.wait_for(timeout=30_000)
    shot(page, "correct-landmark-photo")

    page.get_by_role("button", name="Undo corrections").click()
    page.locator('[class*="st-key-upload-corrections"]').wait_for(state="detached")
    assert page.locator('[class*="st-key-upload-corrected-note"]').count() == 0
    assert _knee_deg(page, "upload") == pytest.approx(before, abs=0.05)
    assert "Not seen" in _knee_card(page, "upload").inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_corrected_step_is_saved_and_shown_again_from_the_history(app_server, page, shot):
    if not PHOTO.is_file():
        pytest.skip(f"sample photo not found: {PHOTO}")
    enter_patient_code(page, app_server["url"], "E2E-FIX")
    page.get_by_role("button", name="Next").click()
    uploader = page.locator('[class*="st-key-sess-up-standing_side-"]')
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(PHOTO))
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("button", name="Redo this step").wait_for(timeout=240_000)
    key = "sess-standing_side"
    before = _knee_deg(page, key)
    _drag_knee(page, +20)
    page.locator(f'[class*="st-key-{key}-corrections"]').wait_for(timeout=60_000)
    after = _knee_deg(page, key)
    assert after < before - 10
    page.get_by_text("Plumb line", exact=True).click()
    page.frame_locator(EDITOR).locator("#plumb").wait_for(state="attached")
    shot(page, "correct-landmark-step")

    page.get_by_text("Report", exact=True).click()
    page.get_by_role("heading", name="Session report for E2E-FIX").wait_for()
    page.get_by_role("button", name="Save session").click()
    page.get_by_text("Session saved").wait_for()

    store = SessionStore(app_server["db"])
    [saved] = store.list_sessions("E2E-FIX")
    report = saved.steps["standing_side"]
    assert report["corrections"]["landmarks"][0]["name"] == "left_knee"
    assert report["measurements"]["knee_flexion_left_deg"]["median"] == pytest.approx(after,
                                                                                      abs=0.05)
    marks = saved.annotations["standing_side"]
    assert marks["corrections"] == report["corrections"]
    assert marks["plumb_line"]["x_px"] > 0
    assert len(marks["key_frame"]["landmarks_px"]) == 33
    assert marks["key_frame"]["image_size"] == [720, 960]

    # Reload from the history: the corrected values, marked, with the originals beside.
    page.reload()
    page.get_by_role("heading", name="Screening session").wait_for()
    page.get_by_role("tab", name="Patient history").click()
    page.locator('[class*="st-key-hist-patient"]').click()
    page.get_by_role("option", name="E2E-FIX").click()
    page.get_by_text("the step's own findings").first.click()
    box = page.locator(f'[class*="st-key-hist-{saved.id}-standing_side-corrections"]')
    box.wait_for()
    row = box.get_by_role("row").filter(has_text="Knee flexion, left")
    assert f"{before:+.1f}" in row.inner_text() and f"{after:+.1f}" in row.inner_text()
    expect(page.get_by_text("Plumb line through the ankle")).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "correct-landmark-history")
