"""A screening-session step recorded live: Chromium's fake camera shows a project still,
the live check reaches a verdict, and the step keeps it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_browser_live import SUBJECT, _y4m_from_still

pytestmark = pytest.mark.browser


def test_session_step_recorded_live_keeps_the_live_verdict(
    app_server, browser_factory, tmp_path: Path, shot
):
    if not SUBJECT.is_file():
        pytest.skip(f"synthetic subject not found: {SUBJECT}")
    clip = _y4m_from_still(SUBJECT, tmp_path / "camera.y4m")
    browser = browser_factory([
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
    ])
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(app_server["url"] + "/?mode=session")
    page.get_by_role("heading", name="Screening session").wait_for()
    code_box = page.get_by_role("textbox", name="Patient code")
    code_box.fill("LIVE-01")
    code_box.press("Enter")
    page.get_by_text("Warning signs (answer these first)").wait_for()
    page.get_by_role("button", name="Next").click()

    page.get_by_text("Record live with the camera").click()
    webrtc = page.frame_locator('iframe[title*="streamlit_webrtc"]')
    webrtc.get_by_role("button", name="START").click()
    keep = page.get_by_role("button", name="Keep this live result for the step")
    keep.wait_for(timeout=120_000)
    keep.click()
    page.get_by_role("button", name="Redo this step").wait_for(timeout=60_000)
    assert page.get_by_text("Analysed the live camera").first.is_visible()
    assert page.get_by_text("Knees pressed back").first.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "session-step-live")
    context.close()
