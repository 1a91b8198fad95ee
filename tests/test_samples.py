"""The demo media in samples/ show what samples/README.md says they show.

Each sample is a render of a posture known exactly (samples/truth.json, made by
tools/synth/samples.py). The engine runs end to end on it, MediaPipe included, and must find
what the sample is meant to demonstrate: a demo whose finding does not come out would
mislead the people trying the app. The file checks (format, size, EXIF) keep the samples
playable in a browser and small.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TRUTH = {item["file"]: item for item in
         json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))["items"]}

# What each sample is meant to show: finding id -> (status, side or None to skip the side).
MEANT = {
    "stand_side_hyperextended_knees.mp4": {
        "knee_hyperextension": ("detected", None),
        "hollow_back": ("detected", None),
        "bent_knee": ("not_detected", None),
    },
    "stand_front_weight_on_right.mp4": {
        "weight_shift": ("detected", "right"),
    },
    "walk_side_normal.mp4": {
        "knee_hyperextension": ("not_detected", None),
        "bent_knee": ("not_detected", None),
        # The over-erect posture is judged in standing; a walk reports the trunk angle only.
        "hollow_back": ("not_assessable", None),
        "reduced_trunk_pelvis_motion": ("not_detected", None),
    },
    "stand_side_neutral.jpg": {
        "knee_hyperextension": ("not_detected", None),
        "bent_knee": ("not_detected", None),
        "hollow_back": ("not_detected", None),
    },
}
MAX_TOTAL_BYTES = 3_000_000


@pytest.fixture(scope="module")
def analyses():
    """Each sample analysed once (about 25 s for all four on two cores)."""
    from posture import analyse

    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = analyse(SAMPLES / name)
        return cache[name]

    return get


def test_every_sample_is_described_and_has_a_truth():
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    media = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".mp4", ".jpg", ".png"))
    assert media == sorted(MEANT)
    for name in media:
        assert f"`{name}`" in readme
        assert name in TRUTH


def test_samples_stay_small():
    total = sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file())
    assert total < MAX_TOTAL_BYTES


@pytest.mark.parametrize("name", [n for n in MEANT if n.endswith(".mp4")])
def test_videos_play_in_a_browser(name):
    import av

    path = SAMPLES / name
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert float(stream.average_rate) == pytest.approx(30.0)
        assert {stream.width, stream.height} == {640, 480}
        duration_s = stream.frames / float(stream.average_rate)
    expected_s = TRUTH[name]["duration_s"]
    assert duration_s == pytest.approx(expected_s, abs=0.05)
    # "faststart": the index (moov) precedes the media data, so playback starts at once.
    head = path.read_bytes()[:4096]
    assert 0 <= head.find(b"moov") < len(head)


def test_photo_is_an_upright_jpeg():
    from PIL import Image

    with Image.open(SAMPLES / "stand_side_neutral.jpg") as image:
        assert image.format == "JPEG"
        assert image.getexif().get(0x0112) == 1  # Orientation: stored upright
        assert image.height > image.width


def test_the_truth_agrees_with_what_each_sample_is_meant_to_show():
    """The rendered truth backs the expected findings (so the engine is held to the truth,
    not to a wish)."""
    for name, meant in MEANT.items():
        expected = TRUTH[name]["expected_findings"]
        for finding_id, (status, _side) in meant.items():
            if finding_id in expected:
                assert expected[finding_id] == status, (name, finding_id)
    assert TRUTH["stand_front_weight_on_right.mp4"]["truth"]["weight_leg"] == "right"


@pytest.mark.parametrize("name", list(MEANT))
def test_engine_finds_what_the_sample_shows(name, analyses):
    analysis = analyses(name)
    truth = TRUTH[name]
    summary = analysis.report.summary
    assert summary["view"] == truth["view"]
    assert summary["activity"] == truth["activity"]
    got = {f.id: f for f in analysis.report.findings}
    for finding_id, (status, side) in MEANT[name].items():
        finding = got[finding_id]
        assert finding.status == status, (finding_id, finding.status, finding.message)
        if side is not None:
            assert finding.side == side
    detected = sorted(i for i, f in got.items() if f.status == "detected")
    assert detected == sorted(i for i, (s, _) in MEANT[name].items() if s == "detected")


@pytest.mark.parametrize("name", ["stand_side_hyperextended_knees.mp4",
                                  "stand_front_weight_on_right.mp4"])
def test_standing_clips_hold_still_for_five_seconds(name, analyses):
    analysis = analyses(name)
    t_still = analysis.pose.t_s[analysis.still]
    assert len(t_still) >= 0.9 * len(analysis.pose.t_s)
    assert t_still.max() - t_still.min() >= 5.0


def test_walk_heel_strikes_are_found_where_the_feet_land(analyses):
    analysis = analyses("walk_side_normal.mp4")
    truth = TRUTH["walk_side_normal.mp4"]
    found = [e for e in analysis.gait.events if e.kind == "heel_strike"]
    expected = [e for e in truth["events"] if e["kind"] == "heel_strike"]
    matched = [e for e in expected
               if any(f.side == e["side"] and abs(f.t_s - e["t_s"]) <= 0.1 for f in found)]
    assert len(expected) >= 6
    assert len(matched) >= len(expected) - 1
    cadence = analysis.report.gait.cadence_steps_per_min
    assert cadence == pytest.approx(truth["truth"]["cadence_steps_per_min"], abs=6.0)
