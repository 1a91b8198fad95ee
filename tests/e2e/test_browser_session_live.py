"""A screening-session step recorded live: Chromium's fake camera shows a project still,
the live check reaches a verdict, and the step keeps it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import enter_patient_code

pytestmark = pytest.mark.browser


def test_session_step_recorded_live_keeps_the_live_verdict(app_server, fake_camera_page, shot):
    page = fake_camera_page
    enter_patient_code(page, app_server["url"], "LIVE-01")
    page.get_by_text("Warning signs (answer these first)").wait_for()
    page.get_by_role("button", name="Next").click()

    page.get_by_text("Record live with the camera").click()
    webrtc = page.frame_locator('iframe[title*="streamlit_webrtc"]')
    webrtc.get_by_role("button", name="START").click()
    keep = page.get_by_role("button", name="Keep this live result for the step")
    keep.wait_for(timeout=120_000)
    keep.click()
    page.get_by_role("button", name="Redo this step").wait_for(timeout=60_000)
    expect(page.get_by_text("Analysed the live camera").first).to_be_visible()
    expect(page.get_by_text("Knees pressed back").first).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "session-step-live")
