"""Live check in Chromium with a fake camera fed a project still: measurements appear."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SUBJECT = ROOT / "tests" / "data" / "synthetic" / "stand_side_left_hyperext15_f3.png"


def _y4m_from_still(still: Path, out: Path, seconds: float = 4.0, fps: int = 15) -> Path:
    """A .y4m clip of the still (Chromium's fake camera loops it), written with PyAV."""
    import av

    image = np.asarray(Image.open(still).convert("RGB"))
    h, w = (image.shape[0] // 2) * 2, (image.shape[1] // 2) * 2
    image = np.ascontiguousarray(image[:h, :w])
    with av.open(str(out), "w", format="yuv4mpegpipe") as container:
        stream = container.add_stream("rawvideo", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for _ in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out


def test_live_check_with_fake_camera_shows_live_measurements(app_server, fake_camera_page, shot):
    page = fake_camera_page
    page.goto(app_server["url"] + "/?mode=live")
    page.get_by_role("heading", name="Live check").wait_for()
    expect(page.get_by_text("hip height").first).to_be_visible()

    webrtc = page.frame_locator('iframe[title*="streamlit_webrtc"]')
    webrtc.get_by_role("button", name="START").click()
    page.get_by_text("Live measurements").wait_for(timeout=90_000)
    knee = page.locator('[data-testid="stMetric"]').filter(has_text="Knee flexion")
    knee.first.wait_for(timeout=30_000)
    expect(page.get_by_text("Person in view: yes")).to_be_visible()
    # guidance while the person holds still, then a verdict once enough steady frames are in
    page.get_by_text("What the camera sees (steady frames)").wait_for(timeout=90_000)
    cards = page.locator('[class*="st-key-card-live-"]')
    cards.first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    # the returned video is playing (annotated frames come back from the server)
    playing = webrtc.locator("video").evaluate("v => v.readyState >= 2 && !v.paused")
    assert playing
    shot(page, "live-check")
    webrtc.get_by_role("button", name="STOP").click()
