"""The app's first screen and mode switching, run headless with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("POSTURE_DB", str(tmp_path / "sessions.sqlite3"))
    return AppTest.from_file(APP, default_timeout=60)


def _headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def test_first_screen_offers_three_modes(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert app.title[0].value == "Posture check"
    labels = [b.label for b in app.button]
    assert labels == [
        "Open live check", "Open analyse a video or photo", "Open screening session"
    ]
    assert app.sidebar.radio(key="mode").options == [
        "Home", "Live check", "Analyse a video or photo", "Screening session"
    ]


@pytest.mark.parametrize(
    ("button_key", "header"),
    [
        ("home-open-Live check", "Live check"),
        ("home-open-Analyse a video or photo", "Analyse a video or photo"),
        ("home-open-Screening session", "Screening session"),
    ],
)
def test_home_buttons_open_each_mode(app: AppTest, button_key: str, header: str) -> None:
    app.run()
    app.button(key=button_key).click().run()
    assert not app.exception
    assert _headers(app)[0] == header
    assert app.sidebar.radio(key="mode").value == header


def test_sidebar_switches_modes_without_errors(app: AppTest) -> None:
    app.run()
    for mode in ["Live check", "Analyse a video or photo", "Screening session", "Home"]:
        app.sidebar.radio(key="mode").set_value(mode).run()
        assert not app.exception, mode
        assert not app.error, mode  # no problem box on a fresh page
    assert app.title[0].value == "Posture check"


@pytest.mark.parametrize(
    ("query", "header"),
    [("live", "Live check"), ("upload", "Analyse a video or photo"),
     ("session", "Screening session")],
)
def test_query_parameter_opens_a_mode(app: AppTest, query: str, header: str) -> None:
    app.query_params["mode"] = query
    app.run()
    assert _headers(app)[0] == header


def test_live_page_gives_camera_guidance_and_snapshot_fallback(app: AppTest) -> None:
    app.query_params["mode"] = "live"
    app.run()
    assert not app.exception
    guidance = " ".join(i.value for i in app.info)
    assert "side-on" in guidance and "hip height" in guidance and "whole body" in guidance
    app.radio(key="live-check").set_value("Weight shift (facing the camera)").run()
    assert "facing the camera" in " ".join(i.value for i in app.info)
    assert [t.label for t in app.tabs] == ["Live video", "Snapshot (no video)"]


def test_upload_page_states_limits(app: AppTest) -> None:
    app.query_params["mode"] = "upload"
    app.run()
    captions = " ".join(c.value for c in app.caption)
    assert "200 MB" in captions
    assert "mp4" in captions and "jpg" in captions
    assert "deleted afterwards" in captions


def test_config_keeps_usage_stats_off_and_upload_limit() -> None:
    import tomllib

    config = tomllib.loads(
        (Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    )
    assert config["browser"]["gatherUsageStats"] is False
    from ui.upload import MAX_UPLOAD_MB

    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
