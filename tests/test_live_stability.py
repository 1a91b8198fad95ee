"""Live verdicts that a person can trust: presence, guidance and findings agree in every
frame; a verdict needs the steady window and then holds instead of flickering; the guidance
asks the person to turn when the chosen check needs another view."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posture.live import FACE_CAMERA, TURN_SIDEWAYS, LiveAnalyser, VerdictHold
from posture.source import open_media

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
STANDING = SAMPLES / "stand_side_hyperextended_knees.mp4"
WALKING = SAMPLES / "walk_side_normal.mp4"


def _frames(path: Path) -> list:
    if not path.is_file():
        pytest.skip(f"sample not found: {path}")
    with open_media(path, max_side_px=640) as media:
        return list(media)


@pytest.fixture(scope="module")
def standing() -> list:
    return _frames(STANDING)


def _signature(state) -> tuple | None:  # noqa: ANN001
    if state.findings is None:
        return None
    return tuple((f.id, f.status, f.severity) for f in state.findings)


def _feed(frames, target=None, extra_blank_s: float = 0.0):  # noqa: ANN001, ANN202
    states = []
    with LiveAnalyser(background=False, target=target) as live:
        for frame in frames:
            _, state = live.process(frame.image_rgb, frame.t_s)
            states.append(state)
        t_s = frames[-1].t_s
        blank = np.full_like(frames[-1].image_rgb, 90)
        while extra_blank_s > 0:
            t_s += 1 / 15
            extra_blank_s -= 1 / 15
            _, state = live.process(blank, t_s)
            states.append(state)
    return states


def test_presence_guidance_and_findings_agree_in_every_frame(standing) -> None:
    states = _feed(standing, extra_blank_s=1.5)
    for state in states:
        nobody = state.guidance[:1] == [
            "No one in view: step into the picture, whole body visible."]
        assert nobody == (not state.person_found), (state.t_s, state.guidance)
        if not state.person_found:
            assert state.findings is None and state.report is None
            assert state.measurements == {}
    assert any(s.findings for s in states)  # there was a verdict while the person stood
    assert not states[-1].person_found and states[-1].findings is None


def test_a_verdict_holds_once_given(standing) -> None:
    states = _feed(standing)
    shown = [_signature(s) for s in states]
    first = next(i for i, sig in enumerate(shown) if sig is not None)
    assert states[first].t_s >= 5.0  # the steady window first
    after = shown[first:]
    assert all(sig is not None for sig in after)  # never drops back while steady
    changes = sum(a != b for a, b in zip(after, after[1:], strict=False))
    assert changes == 0
    by_id = {f.id: f for f in states[-1].findings}
    assert by_id["knee_hyperextension"].status == "detected"


def test_a_walk_gives_a_stable_verdict() -> None:
    states = _feed(_frames(WALKING))
    shown = [_signature(s) for s in states]
    given = [sig for sig in shown if sig is not None]
    transitions = sum(a != b for a, b in zip(shown, shown[1:], strict=False))
    # appears once, after a few steps, and then holds: no flicker, no empty verdict
    assert given and transitions == 1, transitions
    assert all(any(status != "not_assessable" for _, status, _ in sig) for sig in given)
    assert all(s.person_found for s in states if s.findings is not None)
    before = [s for s in states if s.findings is None and s.person_found]
    assert all(any("Keep walking" in g for g in s.guidance) for s in before
               if s.activity == "walking")


def test_guidance_asks_to_turn_for_the_chosen_check(standing) -> None:
    facing = _feed(standing[:45], target="front")  # a side-on person, weight shift chosen
    assert any(FACE_CAMERA in s.guidance for s in facing[15:])
    assert all(TURN_SIDEWAYS not in s.guidance for s in facing)
    side = _feed(standing[:45], target="side")
    assert all(FACE_CAMERA not in s.guidance and TURN_SIDEWAYS not in s.guidance
               for s in side)


def test_the_hold_ignores_a_verdict_that_flickers() -> None:
    hold = VerdictHold(confirm=3, first_confirm=2, hold_s=3.0)
    shown = [hold.update(sig, sig, t / 2) for t, sig in enumerate(
        [("a",), ("a",), ("b",), ("a",), ("b",), ("a",), None, ("a",)])]
    assert shown == [None, ("a",), ("a",), ("a",), ("a",), ("a",), ("a",), ("a",)]
    # a change seen three analyses in a row is taken
    assert [hold.update(("b",), "B", 5 + t) for t in range(3)] == [("a",), ("a",), "B"]
    # no verdict for longer than the hold: dropped
    assert hold.update(None, None, 8.0) == "B"
    assert hold.update(None, None, 10.1) is None  # last verdict at 7.0 s
