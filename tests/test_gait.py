"""posture.gait: heel strikes, toe-offs, cadence and stance from side-view walking with
known event times."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_landmarks import (
    build,
    concat,
    figure,
    heel_strike_times,
    media_info,
    mirror,
    shifted,
    swap_legs,
    toe_off_times,
    with_visibility,
)

from posture.config import Config, GaitConfig
from posture.gait import GaitAnalysis, GaitEvent, _timing, detect_gait
from posture.landmarks import LEFT_FOOT_INDEX, LEFT_HEEL
from posture.pipeline import analyse_poses


def _analyse(fig, pose=None, config=None):
    pose = build(fig) if pose is None else pose
    return analyse_poses(pose, media_info(pose, fps=fig.fps), config=config)


def _times(gait: GaitAnalysis, side: str, kind: str) -> np.ndarray:
    return np.array([e.t_s for e in gait.events if e.side == side and e.kind == kind])


def _assert_events_match(found: np.ndarray, true: np.ndarray, fps: float,
                         duration_s: float, frames: int = 1) -> None:
    """Every true event away from the clip's ends is found within ``frames`` frames of the
    frame nearest to it, and every event found is such a true one."""
    inner = true[(true > 0.1) & (true < duration_s - 0.1)]
    found_frames = np.round(np.asarray(found) * fps)
    true_frames = np.round(true * fps)
    assert len(found) >= len(inner)
    for t in np.round(inner * fps):
        assert np.min(np.abs(found_frames - t)) <= frames, (t, found_frames)
    for f in found_frames:
        assert np.min(np.abs(true_frames - f)) <= frames, (f, true_frames)


@pytest.mark.parametrize("view", ["side_left", "side_right"])
@pytest.mark.parametrize("cadence", [90.0, 110.0, 130.0])
def test_heel_strikes_within_one_frame_at_30_fps(view, cadence):
    fig = figure(view=view, activity="walking", cadence_steps_per_min=cadence)
    gait = _analyse(fig).gait
    assert gait is not None
    for side in ("left", "right"):
        _assert_events_match(_times(gait, side, "heel_strike"), heel_strike_times(fig, side),
                             fig.fps, fig.duration_s)


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_toe_offs_within_one_frame(view):
    fig = figure(view=view, activity="walking")
    gait = _analyse(fig).gait
    for side in ("left", "right"):
        _assert_events_match(_times(gait, side, "toe_off"), toe_off_times(fig, side), fig.fps,
                             fig.duration_s)


@pytest.mark.parametrize("cadence", [90.0, 110.0, 130.0])
def test_cadence_and_stride_time(cadence):
    fig = figure(view="side_left", activity="walking", cadence_steps_per_min=cadence)
    gait = _analyse(fig).gait
    assert gait.cadence_steps_per_min == pytest.approx(cadence, abs=2.0)
    assert gait.stride_time_s == pytest.approx(fig.stride_s, abs=1 / 30)


@pytest.mark.parametrize("stance_pct", [58.0, 62.0, 66.0])
def test_stance_phase_percent(stance_pct):
    fig = figure(view="side_right", activity="walking", stance_pct=stance_pct)
    gait = _analyse(fig).gait
    for side in ("left", "right"):
        assert gait.stance_phase_pct[side] == pytest.approx(stance_pct, abs=5.0), side


def test_stances_run_from_heel_strike_to_toe_off_of_the_same_foot():
    fig = figure(view="side_left", activity="walking")
    gait = _analyse(fig).gait
    assert gait.stances
    for stance in gait.stances:
        strikes = _times(gait, stance.side, "heel_strike")
        offs = _times(gait, stance.side, "toe_off")
        assert stance.start_t_s in strikes
        assert stance.end_t_s in offs
        duration_pct = 100 * (stance.end_t_s - stance.start_t_s) / fig.stride_s
        assert duration_pct == pytest.approx(fig.stance_pct, abs=6.0)
        assert stance.start_position < stance.end_position


def test_strides_per_side_and_stride_windows():
    fig = figure(view="side_left", activity="walking")
    gait = _analyse(fig).gait
    for side in ("left", "right"):
        n_strikes = len(_times(gait, side, "heel_strike"))
        assert gait.strides_per_side[side] == n_strikes - 1
        windows = gait.stride_windows(side)
        assert len(windows) == n_strikes - 1
        for start, stop in windows:
            assert (stop - start) / fig.fps == pytest.approx(fig.stride_s, abs=1.5 / fig.fps)


@pytest.mark.parametrize("cadence", [90.0, 130.0])
def test_the_synthetic_walker_stays_in_the_picture(cadence):
    pose = build(figure(view="side_right", activity="walking", cadence_steps_per_min=cadence))
    x, y = pose.xy_px[..., 0], pose.xy_px[..., 1]
    assert x.min() > 0 and x.max() < pose.width_px
    assert y.min() > 0 and y.max() < pose.height_px


def test_a_mirrored_walk_swaps_the_sides_of_the_events():
    fig = figure(view="side_left", activity="walking")
    pose = build(fig)
    original = _analyse(fig, pose).gait
    flipped = _analyse(fig, mirror(pose)).gait
    other = {"left": "right", "right": "left"}
    assert {(other[e.side], e.kind, e.frame_index) for e in original.events} == {
        (e.side, e.kind, e.frame_index) for e in flipped.events}
    assert len(flipped.events) == len(original.events)
    assert flipped.cadence_steps_per_min == pytest.approx(original.cadence_steps_per_min)
    assert flipped.stance_phase_pct["left"] == pytest.approx(original.stance_phase_pct["right"])


def test_walking_there_and_back_finds_events_in_both_directions():
    there = figure(view="side_right", activity="walking")
    back = figure(view="side_left", activity="walking", duration_s=3.0)
    first, second = build(there), build(back)
    # The walker turns round where they stopped (an instant turn, at 4.0 s).
    def hip_x(pose, i):
        return pose.xy_px[i, [23, 24], 0].mean()

    pose = concat(first, shifted(second, hip_x(first, -1) - hip_x(second, 0)))
    analysis = _analyse(there, pose)
    assert analysis.report.summary["frames_of_subject"] == len(pose)
    assert [s["view"] for s in analysis.report.summary["segments"]] == ["side_right", "side_left"]
    gait = analysis.gait
    for side in ("left", "right"):
        true = np.concatenate([heel_strike_times(there, side),
                               there.duration_s + heel_strike_times(back, side)])
        found = _times(gait, side, "heel_strike")
        found = found[np.abs(found - there.duration_s) > 0.2]  # the turn itself may add one
        _assert_events_match(found, true, there.fps, there.duration_s + back.duration_s)


def test_walking_on_a_treadmill_finds_the_same_events():
    fig = figure(view="side_right", activity="walking", travel=False)
    gait = _analyse(fig).gait
    assert gait is not None
    for side in ("left", "right"):
        _assert_events_match(_times(gait, side, "heel_strike"), heel_strike_times(fig, side),
                             fig.fps, fig.duration_s)


@pytest.mark.parametrize("fps", [25.0, 60.0])
def test_other_frame_rates(fps):
    fig = figure(view="side_left", activity="walking", fps=fps)
    gait = _analyse(fig).gait
    for side in ("left", "right"):
        _assert_events_match(_times(gait, side, "heel_strike"), heel_strike_times(fig, side),
                             fps, fig.duration_s, frames=max(1, round(fps / 30)))


def test_heel_strikes_survive_landmark_noise():
    fig = figure(view="side_left", activity="walking", noise_px=2.0, seed=1)
    gait = _analyse(fig).gait
    for side in ("left", "right"):
        _assert_events_match(_times(gait, side, "heel_strike"), heel_strike_times(fig, side),
                             fig.fps, fig.duration_s)
    assert gait.cadence_steps_per_min == pytest.approx(fig.cadence_steps_per_min, abs=2.0)


def test_no_events_inside_a_gap_in_the_heel_track():
    fig = figure(view="side_left", activity="walking")
    strike = heel_strike_times(fig, "left")[1]
    frames = range(int(strike * fig.fps) - 6, int(strike * fig.fps) + 7)
    pose = with_visibility(build(fig), [LEFT_HEEL, LEFT_FOOT_INDEX], 0.1, frames=frames)
    gait = _analyse(fig, pose).gait
    found = _times(gait, "left", "heel_strike")
    assert np.all(np.abs(found - strike) > 0.1), "a heel strike was made up inside the gap"
    # The right foot is unaffected.
    _assert_events_match(_times(gait, "right", "heel_strike"), heel_strike_times(fig, "right"),
                         fig.fps, fig.duration_s)


def test_gait_is_only_analysed_for_side_view_walking():
    assert _analyse(figure(view="side_left", activity="standing")).gait is None
    assert _analyse(figure(view="front", activity="walking")).gait is None


def test_prominence_threshold_is_read_from_config():
    fig = figure(view="side_left", activity="walking")
    config = Config(gait=GaitConfig(min_prominence_leg=5.0))  # more than any step could give
    gait = _analyse(fig, config=config).gait
    assert gait.events == []
    assert gait.cadence_steps_per_min is None


def test_detect_gait_with_unknown_facing_finds_nothing():
    fig = figure(view="side_left", activity="walking")
    pose = build(fig)
    gait = detect_gait(pose.xy_px, pose.t_s, pose.frame_index, np.zeros(len(pose)), 271.0,
                       GaitConfig())
    assert gait.events == []


def test_timing_from_hand_made_events():
    def event(side, kind, t):
        return GaitEvent(side, kind, t, int(round(t * 30)), int(round(t * 30)))

    events = sorted([
        event("left", "heel_strike", 0.0), event("left", "toe_off", 0.6),
        event("left", "heel_strike", 1.0), event("left", "toe_off", 1.62),
        event("left", "heel_strike", 2.0),
        event("right", "heel_strike", 0.5), event("right", "toe_off", 1.1),
        event("right", "heel_strike", 1.5),
    ], key=lambda e: e.t_s)
    gait = _timing(events)
    assert gait.stride_time_s == pytest.approx(1.0)
    assert gait.cadence_steps_per_min == pytest.approx(120.0)
    assert gait.strides_per_side == {"left": 2, "right": 1}
    assert gait.stance_phase_pct["left"] == pytest.approx(61.0)
    assert gait.stance_phase_pct["right"] == pytest.approx(60.0)
    assert [(s.side, s.start_t_s, s.end_t_s) for s in gait.stances] == [
        ("left", 0.0, 0.6), ("right", 0.5, 1.1), ("left", 1.0, 1.62)]


def test_to_dict_is_rounded_and_complete():
    fig = figure(view="side_left", activity="walking")
    data = _analyse(fig).gait.to_dict()
    assert set(data) >= {"events", "stances", "strides_per_side", "stride_time_s",
                         "cadence_steps_per_min", "stance_phase_pct"}
    for e in data["events"]:
        assert e["kind"] in ("heel_strike", "toe_off") and e["side"] in ("left", "right")
        assert e["t_s"] == round(e["t_s"], 3)
        assert e["frame_index"] == pytest.approx(e["t_s"] * fig.fps, abs=0.02)
    assert data["events"] == sorted(data["events"], key=lambda e: e["t_s"])
    assert GaitAnalysis().to_dict()["cadence_steps_per_min"] is None


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_legs_swapped_from_a_crossing_on_still_alternate(view):
    # MediaPipe sometimes swaps the legs' labels for good when they pass each other: the
    # swap fixer sees no jump there, so the event stage must keep the feet taking turns.
    fig = figure(view=view, activity="walking")
    pose = build(fig)
    ankles_dx = np.abs(pose.xy_px[:, 27, 0] - pose.xy_px[:, 28, 0])
    middle = len(pose) // 2
    crossing = middle + int(np.argmin(ankles_dx[middle : middle + int(fig.fps)]))
    # ... and from there on flickers back for a few frames at every later crossing.
    later = [i for i in range(crossing + 10, len(pose) - 2)
             if ankles_dx[i] < 0.5 * np.median(ankles_dx)]
    pose = swap_legs(pose, sorted(set(range(crossing, len(pose))) - set(later[::2])))
    gait = _analyse(fig, pose).gait
    strikes = [e for e in gait.events if e.kind == "heel_strike"]
    sides = [e.side for e in strikes]
    assert all(a != b for a, b in zip(sides, sides[1:], strict=False)), sides
    true = np.sort(np.concatenate([heel_strike_times(fig, s) for s in ("left", "right")]))
    inner = true[(true > 0.1) & (true < fig.duration_s - 0.1)]
    assert abs(len(strikes) - len(inner)) <= 1
    expected_cadence = 60.0 * (len(inner) - 1) / (inner[-1] - inner[0])
    assert gait.cadence_steps_per_min == pytest.approx(expected_cadence, rel=0.05)


def test_rendered_walk_where_mediapipe_swaps_the_legs_keeps_the_feet_taking_turns():
    """A rendered walk seen from the right in which MediaPipe swaps the legs' labels in the
    last step: per-foot peak picking found a left and a right heel strike at the same
    instant there (8 strikes for 7). See tests/data/regression/*.json for its making."""
    import json
    from pathlib import Path

    from posture.pipeline import analyse

    folder = Path(__file__).parent / "data" / "regression"
    truth = json.loads((folder / "walk_side_right_legs_swap.json").read_text())
    gait = analyse(folder / truth["file"]).gait
    strikes = [e for e in gait.events if e.kind == "heel_strike"]
    assert [e.side for e in strikes] == [e["side"] for e in truth["heel_strikes"]]
    for found, true in zip(strikes, truth["heel_strikes"], strict=True):
        assert abs(found.t_s - true["t_s"]) <= 2 / 30
