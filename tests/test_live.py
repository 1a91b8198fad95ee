"""The live path on a project sample fed frame by frame, as a webcam would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posture.live import STEADY_SECONDS_NEEDED, LiveAnalyser
from posture.source import open_media

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "stand_side_hyperextended_knees.mp4"


@pytest.fixture(scope="module")
def frames() -> list:
    with open_media(SAMPLE, max_side_px=640) as media:
        return list(media)


def _run(frames, background: bool):
    states = []
    with LiveAnalyser(background=background) as live:
        for frame in frames:
            annotated, state = live.process(frame.image_rgb, frame.t_s)
            assert annotated.shape == frame.image_rgb.shape
            states.append((frame.t_s, state.findings is not None, list(state.guidance)))
        final = live.wait()
    return states, final


def test_verdict_only_after_five_steady_seconds(frames):
    states, final = _run(frames, background=False)
    early = [s for s in states if s[0] < STEADY_SECONDS_NEEDED - 0.5]
    assert early and not any(has_verdict for _, has_verdict, _ in early)
    assert any("Hold still" in " ".join(guidance) for _, _, guidance in early)
    assert states[-1][1], "no verdict after 7 s of quiet standing"
    assert final.view == "side_left"
    by_id = {f.id: f for f in final.findings}
    assert by_id["knee_hyperextension"].status == "detected"
    assert by_id["weight_shift"].status == "not_assessable"
    assert final.measurements["knee_flexion_left_deg"] < -5


def test_background_analysis_reaches_the_same_verdict(frames):
    _, foreground = _run(frames, background=False)
    _, background = _run(frames, background=True)
    assert [f.status for f in background.findings] == [f.status for f in foreground.findings]


def test_empty_room_asks_the_person_to_step_in():
    with LiveAnalyser(background=False) as live:
        for i in range(20):
            _, state = live.process(np.full((480, 640, 3), 90, np.uint8), i / 30)
    assert not state.person_found
    assert state.findings is None
    assert "No one in view" in state.guidance[0]
