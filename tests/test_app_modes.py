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


# --------------------------------------------------------------------------------------------
# How a result is shown: an uncertain finding, the camera line, an unreliable gait


def _show(report: dict) -> None:
    from ui.engine import EngineResult
    from ui.results import show_result

    show_result(EngineResult(report=report, source_name="walk.mp4"), key="t")


def _result_report(camera_notes: list[str] | None = None) -> dict:
    return {
        "schema_version": "2",
        "summary": {
            "view": "side_left", "activity": "walking", "messages": [],
            "camera": {"roll_deg": 3.2, "roll_source": "floor contacts of the feet while walking",
                       "off_axis_deg": 12.4, "off_axis_source": "spread of the shoulders and hips",
                       "corrected": True, "notes": camera_notes or []},
        },
        "measurements": {},
        "findings": [
            {"id": "hollow_back", "title": "Hollow back", "status": "uncertain",
             "severity": "moderate", "side": None, "value": 7.1, "unit": "deg",
             "threshold": 6.0, "confidence": 0.55, "evidence": [],
             "view_required": ["side_left", "side_right"],
             "message": "The upper body may lean back a little."},
            {"id": "bent_knee", "title": "Bent knee", "status": "detected", "severity": "mild",
             "side": "left", "value": 12.0, "unit": "deg", "threshold": 10.0,
             "confidence": 0.8, "evidence": [], "view_required": ["side_left", "side_right"],
             "message": "The left knee stays bent."},
        ],
        "gait": {"events": [], "cadence_steps_per_min": 112.0, "kind": "walking",
                 "reliable": False, "unreliable_reason": "Too few steps were seen."},
        "explanations": [
            {"id": "bent_knee_habit", "title": "Knees kept bent", "relevance": "matches_findings",
             "text": "The camera measured knees that stay bent."},
            {"id": "hollow_back_pattern", "title": "Hollow back with the knees pushed back",
             "relevance": "uncertain_findings",
             "text": "The camera possibly saw a hollow back; worth checking by eye."},
        ],
        "red_flags": [],
        "disclaimer": "Screening aid.",
    }


def test_an_uncertain_finding_is_shown_as_possibly_present_never_as_seen() -> None:
    at = AppTest.from_function(_show, kwargs={"report": _result_report()}, default_timeout=60)
    at.run()
    assert not at.exception
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert badges == [":red-badge[Seen]", ":orange-badge[Uncertain — possibly present]"]
    severities = [m.value for m in at.metric if m.label == "Severity"]
    assert severities == ["mild", "possibly moderate"]
    captions = " ".join(c.value for c in at.caption)
    assert "worth checking by eye" in captions
    labels = [e.label for e in at.expander]
    assert "Knees kept bent" in labels
    assert "Possibly: hollow back with the knees pushed back" in labels
    assert labels.index("Knees kept bent") < labels.index(
        "Possibly: hollow back with the knees pushed back")


def test_the_camera_line_and_an_unreliable_gait_are_shown() -> None:
    at = AppTest.from_function(_show, kwargs={"report": _result_report()}, default_timeout=60)
    at.run()
    assert not at.exception
    line = ("Camera roll 3° (measured from the floor contacts of the feet while walking), "
            "corrected; 12° off the side axis.")
    assert any(line in c.value for c in at.caption)
    summary = " ".join(m.value for m in at.markdown)
    assert "gait timing: **not reliable: too few steps were seen**" in summary
    assert "cadence" not in summary.lower() and "112" not in summary
    # With notes, the line opens an expander holding them.
    at = AppTest.from_function(
        _show, kwargs={"report": _result_report(["The floor line leans +9°."])},
        default_timeout=60)
    at.run()
    # (AppTest files an expander with an icon under "status")
    assert line in [e.label for e in [*at.expander, *at.status]]
    assert any("leans +9°" in c.value for c in at.caption)
