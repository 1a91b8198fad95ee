"""Browser tests: the real app (`streamlit run app.py`) driven by headless Debian Chromium.

Each test session starts one Streamlit server on a free port with its own temporary
session database, waits for /_stcore/health, and hands out Playwright pages. Chromium is
the system one (/usr/bin/chromium); Playwright never downloads a browser here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = os.environ.get("POSTURE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with status {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp,
        ):
            if resp.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    data_dir = tmp_path_factory.mktemp("app-data")
    port = _free_port()
    env = dict(os.environ, POSTURE_DB=str(data_dir / "sessions.sqlite3"))
    log_path = data_dir / "streamlit.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield {"url": url, "db": data_dir / "sessions.sqlite3", "log": log_path}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copyfile(log_path, ARTIFACTS / "streamlit-server.log")


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture
def browser_factory(playwright_instance):  # noqa: ANN001, ANN201
    """Launch Chromium with extra args (the live test adds a fake camera)."""
    launched = []

    def launch(extra_args: list[str] | None = None):  # noqa: ANN202
        browser = playwright_instance.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + (extra_args or [])
        )
        launched.append(browser)
        return browser

    yield launch
    for browser in launched:
        browser.close()


@pytest.fixture
def page(browser_factory):  # noqa: ANN001, ANN201
    browser = browser_factory()
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


@pytest.fixture
def fake_camera_page(browser_factory, tmp_path):  # noqa: ANN001, ANN201
    """A page whose camera is Chromium's fake device looping a project still (a side view
    of knees pressed back 15 deg), camera permission granted."""
    from tests.e2e.test_browser_live import SUBJECT, _y4m_from_still

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
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def _first_existing(paths: list[Path]) -> Path | None:
    for path in paths:
        if path.is_file():
            return path
    return None


@pytest.fixture(scope="session")
def walking_clip(request: pytest.FixtureRequest) -> Path:
    """A side-on walking clip: the project's own demo if present, else the shared one."""
    own = sorted((PROJECT_ROOT / "samples").glob("*walk*.mp4"))
    own += sorted((PROJECT_ROOT / "tests" / "data" / "synthetic").glob("*walk*side*.mp4"))
    if own:
        return own[0]
    media = request.getfixturevalue("shared_media")
    return media / "walk_side_outdoor_sports2d.mp4"


@pytest.fixture(scope="session")
def standing_photo(request: pytest.FixtureRequest) -> Path:
    own = sorted((PROJECT_ROOT / "samples").glob("*.jpg")) + sorted(
        (PROJECT_ROOT / "samples").glob("*.png")
    )
    own += sorted((PROJECT_ROOT / "tests" / "data" / "synthetic").glob("*stand*.png"))
    if own:
        return own[0]
    media = request.getfixturevalue("shared_media")
    return media / "warrior2_front_mediapipe.jpg"


@pytest.fixture
def shot():  # noqa: ANN201
    """Save a full-page screenshot to test-artifacts/<name>.png (looked at by people)."""

    def take(page, name: str) -> Path:  # noqa: ANN001
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        # Streamlit scrolls inside its main section, so a "full page" shot would stop at the
        # window; grow the window to the content instead, then put it back.
        size = page.viewport_size
        height = page.evaluate(
            "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
            " return m ? m.scrollHeight : document.body.scrollHeight; }"
        )
        page.set_viewport_size({"width": size["width"], "height": min(max(height, 600), 9000)})
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(size)
        return path

    return take
