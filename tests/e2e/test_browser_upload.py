"""Upload a walking clip in real Chromium: findings, charts and a playing annotated video."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

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
    # Streamlit mounts each Plotly chart on its own (lazily loaded), so wait for the second
    # rather than count the moment the first appears.
    charts.nth(1).wait_for()
    expect(page.get_by_text("Knee flexion").first).to_be_visible()

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


def test_walk_shows_both_gait_cycles_the_table_and_charts_move_the_video(
    app_server, page, walking_clip, shot
):
    page.goto(app_server["url"] + "/?mode=upload")
    page.get_by_role("heading", name="Analyse a video or photo").wait_for()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(walking_clip))
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("heading", name="Downloads").wait_for(timeout=240_000)

    # Both sides' gait cycles, side by side, and the spatiotemporal table.
    page.get_by_role("heading", name="Gait cycle, per side").wait_for()
    charts = page.locator('[data-testid="stPlotlyChart"]')
    left = charts.filter(has_text="Left: Knee flexion")
    right = charts.filter(has_text="Right: Knee flexion")
    left.first.wait_for()  # plotly draws its titles after the page has settled
    right.first.wait_for()
    assert left.count() == 1 and right.count() == 1
    left_box, right_box = left.bounding_box(), right.bounding_box()
    assert left_box["x"] + left_box["width"] <= right_box["x"] + 1  # left beside right
    assert abs(left_box["y"] - right_box["y"]) < 5
    for chart in (left, right):
        chart.locator(".scatterlayer .trace").nth(3).wait_for()  # band, strides, mean
    table = page.locator('[data-testid="stTable"]')
    assert table.count() == 1
    table_text = table.inner_text()
    for row in ("Strides counted", "Cadence", "Stance (% of stride)", "Step length"):
        assert row in table_text
    assert "Symmetry index" in table_text

    # Clicking a point of the knee chart moves the annotated video there.
    video = page.locator("video").first
    page.wait_for_function("() => { const v = document.querySelector('video');"
                           " return v && v.readyState >= 1; }")
    assert video.evaluate("v => v.currentTime") == 0
    knee = charts.filter(has_text="Knee flexion (straight")
    knee.scroll_into_view_if_needed()
    knee.locator(".scatterlayer .trace").first.wait_for()
    points = knee.locator(".scatterlayer .trace").first.locator(".points path")
    target = points.nth(min(75, points.count() - 1)).bounding_box()  # about 2.5 s in
    page.mouse.click(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    caption = page.get_by_text("Annotated frame at")
    caption.wait_for(timeout=60_000)
    clicked_s = float(caption.inner_text().split(" at ")[1].split(" s")[0])
    assert 1.0 <= clicked_s <= 3.5
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('video').currentTime - {int(clicked_s)}) < 0.1",
        timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0

    with page.expect_download() as dl:
        page.get_by_role("button", name="Per-stride CSV").click()
    lines = Path(dl.value.path()).read_text().splitlines()
    assert lines[0].startswith("side,number,start_t_s") and len(lines) >= 4
    shot(page, "upload-gait-cycle")
