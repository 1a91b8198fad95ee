"""Upload a walking clip in real Chromium: findings, charts and a playing annotated video."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def test_upload_clip_shows_findings_charts_and_playing_video(
    app_server, page, walking_clip, shot
):
    hosts: set[str] = set()
    page.on("request", lambda req: hosts.add(urlparse(req.url).hostname or req.url[:5]))
    page.goto(app_server["url"] + "/?mode=upload")
    page.get_by_role("heading", name="Analyse a video or photo").wait_for()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(walking_clip))
    page.get_by_role("button", name="Analyse").click()
    # analysis of a few seconds of video takes a while on two cores
    page.get_by_role("heading", name="Findings").wait_for(timeout=240_000)
    page.get_by_role("heading", name="Downloads").wait_for(timeout=60_000)  # fully rendered

    cards = page.locator('[class*="st-key-card-upload-"]')
    assert cards.count() == 5  # one card per check the engine runs
    card_text = cards.all_inner_texts()
    assert any("Seen" in t or "Not seen" in t for t in card_text)

    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.first.wait_for()
    assert charts.count() >= 2
    assert page.get_by_text("Knee flexion").first.is_visible()

    video = page.locator("video").first
    video.scroll_into_view_if_needed()
    # Streamlit's player preloads metadata only; play() makes it fetch and decode frames.
    video.evaluate("v => { v.muted = true; v.play(); }")
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return v && v.readyState >= 2 && v.currentTime > 0.3; }",
        timeout=30_000,
    )
    assert video.evaluate("v => v.error === null")

    with page.expect_download() as dl:
        page.get_by_role("button", name="JSON report").click()
    report = json.loads(Path(dl.value.path()).read_text())
    assert {f["id"] for f in report["findings"]} >= {"hollow_back", "bent_knee"}
    with page.expect_download() as dl:
        page.get_by_role("button", name="PDF report").click()
    assert Path(dl.value.path()).read_bytes()[:5] == b"%PDF-"
    with page.expect_download() as dl:
        page.get_by_role("button", name="Per-frame CSV").click()
    header = Path(dl.value.path()).read_text().splitlines()[0]
    assert "knee_flexion_left_deg" in header

    assert page.locator('[data-testid="stException"]').count() == 0
    # everything the page loaded came from this machine (no CDN, no telemetry)
    assert hosts <= {"127.0.0.1", "data:", "blob:"}, hosts
    video.evaluate("v => v.pause()")
    shot(page, "upload-results")
