"""Upload page states in Chromium: results go when the file changes, and a recording with
nobody in it is a warning (no green "Analysed", no findings, no empty downloads)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOT / "tests" / "data" / "synthetic" / "stand_side_left_hyperext15_f3.png"


def _choose(page, path: Path) -> None:  # noqa: ANN001
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))


def test_stale_results_clear_and_nobody_in_view_is_a_warning(app_server, page, shot, tmp_path):
    if not PHOTO.is_file():
        pytest.skip(f"synthetic subject not found: {PHOTO}")
    empty = tmp_path / "empty_room.png"
    Image.new("RGB", (480, 640), (120, 130, 140)).save(empty)

    page.goto(app_server["url"] + "/?mode=upload")
    page.get_by_role("heading", name="Analyse a video or photo").wait_for()
    _choose(page, PHOTO)
    page.get_by_role("button", name="Analyse", exact=True).click()
    page.get_by_role("heading", name="Findings").wait_for(timeout=120_000)
    expect(page.get_by_text(re.compile(r"^Analysed stand_side"))).to_be_visible()

    # Another file chosen: the old findings go at once, before Analyse is pressed.
    _choose(page, empty)
    page.get_by_role("heading", name="Findings").wait_for(state="detached", timeout=30_000)
    assert page.get_by_text(re.compile(r"^Analysed ")).count() == 0
    assert page.get_by_role("button", name="Analyse", exact=True).is_enabled()

    page.get_by_role("button", name="Analyse", exact=True).click()
    page.get_by_text("Nobody was found in empty_room.png").wait_for(timeout=120_000)
    assert page.get_by_text(re.compile(r"^Analysed ")).count() == 0
    assert page.get_by_role("heading", name="Findings").count() == 0
    assert page.get_by_role("heading", name="Downloads").count() == 0
    assert page.locator('[data-testid="stDownloadButton"]').count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "upload-nobody-in-view")
