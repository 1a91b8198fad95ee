"""Live check in Chromium with a fake camera fed a side-on still: the verdict holds once given,
person-in-view agrees with it, and choosing weight shift asks the person to face the camera."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _cards(page) -> list[list[str]]:  # noqa: ANN001
    """Each verdict card's title and status badge (read again while the panel, refreshed
    every second, is half drawn)."""
    cards = page.locator('[class*="st-key-card-live-"]:not([class*="st-key-card-live-rest-"])')
    previous = None
    for _ in range(30):
        read = [[line for line in t.split("\n") if line.strip()][:2]
                for t in cards.all_inner_texts()]
        if read and read == previous and all(len(card) == 2 for card in read):
            return read  # the same twice in a row: the panel is fully drawn
        previous = read
        page.wait_for_timeout(250)
    return read


def test_live_verdict_holds_and_guidance_asks_to_turn(app_server, fake_camera_page, shot):
    page = fake_camera_page
    page.goto(app_server["url"] + "/?mode=live")
    page.get_by_role("heading", name="Live check").wait_for()
    webrtc = page.frame_locator('iframe[title*="streamlit_webrtc"]')
    webrtc.get_by_role("button", name="START").click()
    page.get_by_text("What the camera sees (steady frames)").wait_for(timeout=120_000)
    # The verdict holds: the same cards, second after second, with the person in view.
    seen = []
    for _ in range(5):
        expect(page.get_by_text("Person in view: yes")).to_be_visible()
        assert page.get_by_text("No one in view").count() == 0
        seen.append(_cards(page))
        page.wait_for_timeout(1000)
    assert seen[0] and all(cards == seen[0] for cards in seen), seen
    expect(page.get_by_text("Knees pressed back").first).to_be_visible()

    # Weight shift chosen while the person stands side-on: they are asked to face the camera.
    page.get_by_text("Weight shift (facing the camera)").click()
    page.get_by_text("Face the camera: weight shift is judged facing the camera.").wait_for(
        timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "live-turn-guidance")
    webrtc.get_by_role("button", name="STOP").click()
