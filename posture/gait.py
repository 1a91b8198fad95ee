"""Stage 6: gait events and timing for walking or running seen from the side.

Read top to bottom, the stage does this:

1. **Foot signals.** For each foot, how far its heel and toe are ahead of the hip centre
   along the walking direction (Zeni's method [R50]: MediaPipe heel 29/30 and foot_index
   31/32 minus the hip midpoint). A walker on a treadmill stays in place; these signals
   do not care.
2. **Steps.** The feet pass each other once a step. The distance between them, which does
   not depend on which foot MediaPipe calls left, peaks near every heel strike and falls
   to about nothing where the swinging foot passes the standing one. Between two
   passings one foot is ahead all the time, and the foot ahead changes at each passing.
   A *run* is a stretch walked in one direction with both feet seen; steps, strides and
   the legs' identity never reach across two runs.
3. **Leg identity.** MediaPipe swaps the legs' labels in side views, sometimes for good
   from a moment the legs cross, which a frame-to-frame check cannot see. Here the
   identity is held over the whole run: the foot ahead alternates from step to step, and
   which of the two alternating feet is the left one is what most frames' labels say;
   where they are split, the floor decides (a camera above it draws the nearer foot,
   the left one when the subject faces image-left, lower). A step quicker than any
   cadence allows marks landmarks that failed there: the run is cut around it.
4. **Walking or running.** The pelvis is highest in mid-stance when walking (the body
   vaults over the standing leg) and lowest when running (it lands on a spring); where
   the bob is too small to tell, the cadence decides.
5. **Events, per step.** The foot ahead strikes the ground where its heel is furthest
   forward (Zeni's heel strike). The foot behind leaves the ground: walking, where its toe
   is furthest back (Zeni's toe-off); running, where the toe rises off the floor (a
   runner's foot keeps moving back after it has left the ground, so Zeni's toe-off would
   come late). Each foot so goes heel strike -> toe-off -> heel strike, and a toe-off is
   always the trailing foot's, after its own heel strike. Walking, the foot ahead lands
   before the one behind leaves; an event whose foot hardly travelled to it (compared
   with the clip's other steps) is a smear of swapped labels and is dropped.
6. **Timing and plausibility.** Strides, stance phases with their single-support part,
   double support, step times, cadence; then the limits of ``GaitConfig``
   (clinical.md "Gait phases and the checks", Perry). A gait outside them is reported
   unreliable with a plain reason, and nothing should be judged from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.signal import find_peaks
from scipy.stats import theilslopes

from .config import GaitConfig
from .landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
    SIDE_POINTS,
)

SIDES = ("left", "right")
OTHER = {"left": "right", "right": "left"}
# What MediaPipe swaps in side views: the legs from the knee down (the hips nearly
# coincide seen from the side).
LEG_PAIRS = (
    (LEFT_KNEE, RIGHT_KNEE), (LEFT_ANKLE, RIGHT_ANKLE), (LEFT_HEEL, RIGHT_HEEL),
    (LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX),
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class GaitEvent:
    side: str  # "left" | "right"
    kind: str  # "heel_strike" | "toe_off"
    t_s: float
    frame_index: int
    position: int  # index into the analysed sequence
    run: int = 0  # the run (stretch walked one way, both feet seen) the event belongs to


@dataclass(frozen=True)
class Stance:
    """A foot on the ground: its heel strike to its toe-off. The single-support part runs
    from the other foot's toe-off to the other foot's heel strike (the whole stance when
    running); None where one of those events was not found."""

    side: str
    start_t_s: float  # heel strike
    end_t_s: float  # toe-off
    start_position: int
    end_position: int
    single_support_start_position: int | None = None
    single_support_end_position: int | None = None


def _per_side(value: object) -> dict:
    return {side: value for side in ("left", "right")}


@dataclass
class GaitAnalysis:
    events: list[GaitEvent] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)
    strides_per_side: dict[str, int] = field(default_factory=lambda: _per_side(0))
    stride_time_s: float | None = None
    cadence_steps_per_min: float | None = None
    stance_phase_pct: dict[str, float | None] = field(default_factory=lambda: _per_side(None))
    # False when the events break the body's timing (``GaitConfig`` limits): nothing should
    # then be judged from them; ``unreliable_reason`` says why in a plain clause.
    reliable: bool = False
    unreliable_reason: str | None = "no steps were found"
    kind: str = "walking"  # "walking" | "running"
    # Median time from the other foot's heel strike to this foot's, per side.
    step_time_s: dict[str, float | None] = field(default_factory=lambda: _per_side(None))
    # Both double-support periods of a stride together, % of the stride (median; ~20 % in
    # walking, 0 when running: a flight phase instead).
    double_support_pct: float | None = None
    # (heel strike, next heel strike of the same foot) sequence positions, per side.
    stride_positions: dict[str, list[tuple[int, int]]] = field(
        default_factory=lambda: {"left": [], "right": []})
    # Frames whose leg labels this stage exchanged to keep each foot's identity.
    legs_relabelled_frames: int = 0

    def stride_windows(self, side: str) -> list[tuple[int, int]]:
        """(start, stop) sequence positions of each stride of ``side``, heel strike to the
        next heel strike of the same foot (never across a turn or a gap)."""
        return list(self.stride_positions.get(side, []))

    def stride_count(self, side: str) -> int:
        return len(self.stride_positions.get(side, []))

    def single_support_windows(self, side: str) -> list[tuple[int, int]]:
        """(start, stop) sequence positions of the single-support part of each of
        ``side``'s stance phases where both ends were found: the other foot's toe-off to its
        heel strike (mid and terminal stance)."""
        return [(s.single_support_start_position, s.single_support_end_position)
                for s in self.stances
                if s.side == side and s.single_support_start_position is not None
                and s.single_support_end_position is not None]

    def to_dict(self) -> dict:
        return {
            "method": ("Feet passing each other mark the steps; heel strike: heel furthest "
                       "forward of the pelvis (Zeni); toe-off: toe furthest back (walking) "
                       "or lifted off the floor (running)"),
            "kind": self.kind,
            "reliable": self.reliable,
            "unreliable_reason": self.unreliable_reason,
            "events": [
                {"side": e.side, "kind": e.kind, "t_s": round(e.t_s, 3),
                 "frame_index": e.frame_index}
                for e in self.events
            ],
            "stances": [
                {"side": s.side, "start_t_s": round(s.start_t_s, 3), "end_t_s": round(s.end_t_s, 3)}
                for s in self.stances
            ],
            "strides_per_side": self.strides_per_side,
            "stride_time_s": _round(self.stride_time_s),
            "cadence_steps_per_min": _round(self.cadence_steps_per_min),
            "stance_phase_pct": {k: _round(v) for k, v in self.stance_phase_pct.items()},
            "step_time_s": {k: _round(v) for k, v in self.step_time_s.items()},
            "double_support_pct": _round(self.double_support_pct),
            "legs_relabelled_frames": self.legs_relabelled_frames,
        }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


# --------------------------------------------------------------------------- 1. foot signals


@dataclass
class _Feet:
    """Per side (as labelled): heel and toe ahead of the hip centre along the walking
    direction (px), their heights in the image (px, y down) and the foot's centre ahead
    of the hips (mean of heel, ankle and toe)."""

    heel: dict[str, np.ndarray]
    toe: dict[str, np.ndarray]
    heel_y: dict[str, np.ndarray]
    toe_y: dict[str, np.ndarray]
    centre: dict[str, np.ndarray]


def _nanmean(arrays: list[np.ndarray]) -> np.ndarray:
    """Element-wise mean of the finite values (NaN where none is), without warnings."""
    stack = np.stack(arrays)
    finite = np.isfinite(stack)
    count = finite.sum(axis=0)
    total = np.where(finite, stack, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _feet(xy_px: np.ndarray, forward_sign: np.ndarray) -> _Feet:
    hip_x = _nanmean([xy_px[:, LEFT_HIP, 0], xy_px[:, RIGHT_HIP, 0]])
    fwd = np.where(forward_sign != 0, forward_sign, np.nan)

    def ahead(index: int) -> np.ndarray:
        return (xy_px[:, index, 0] - hip_x) * fwd

    feet = _Feet({}, {}, {}, {}, {})
    for side, pts in SIDE_POINTS.items():
        feet.heel[side] = ahead(pts["heel"])
        feet.toe[side] = ahead(pts["toe"])
        feet.heel_y[side] = xy_px[:, pts["heel"], 1]
        feet.toe_y[side] = xy_px[:, pts["toe"], 1]
        feet.centre[side] = _nanmean([feet.heel[side], ahead(pts["ankle"]), feet.toe[side]])
    return feet


# --------------------------------------------------------------------------- 2. runs and steps


@dataclass
class _Step:
    """One step: from a passing of the feet (or the run's start) to the next passing (or
    the run's end), positions inclusive. ``front`` is the foot ahead; its heel strike and
    the other foot's toe-off fall inside the step."""

    run: int
    start: int
    stop: int
    front: str
    heel_strike: int | None = None  # the front foot's
    toe_off: int | None = None  # the back foot's


def _bridge_gaps(values: np.ndarray, max_gap: int) -> np.ndarray:
    """``values`` with runs of at most ``max_gap`` NaN between seen values interpolated
    (raw landmarks miss the far foot for a frame or two; that must not end a run)."""
    out = values.copy()
    seen = np.flatnonzero(np.isfinite(values))
    for a, b in zip(seen[:-1], seen[1:], strict=True):
        if 1 < b - a <= max_gap + 1:
            out[a + 1 : b] = np.interp(np.arange(a + 1, b), [a, b], [values[a], values[b]])
    return out


def _runs(valid: np.ndarray, forward_sign: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of the stretches where both feet are seen and the walking direction
    is known and the same; stop is exclusive."""
    runs: list[tuple[int, int]] = []
    start = None
    for i in range(len(valid) + 1):
        ok = i < len(valid) and bool(valid[i])
        same = ok and start is not None and forward_sign[i] == forward_sign[start]
        if start is not None and not same:
            runs.append((start, i))
            start = None
        if ok and start is None:
            start = i
    return [(a, b) for a, b in runs if b - a >= 3]


def _passings(sep: np.ndarray, start: int, stop: int, min_sep: float, distance: int,
              config: GaitConfig) -> list[int]:
    """Positions in [start, stop) where the feet pass each other: the least separation
    between two separation peaks (one step apart), and before the first or after the last
    peak where the separation clearly falls to a minimum inside the run."""
    peaks, _ = find_peaks(sep[start:stop], prominence=min_sep, distance=distance)
    peaks = [int(p) + start for p in peaks]
    if not peaks:
        return []
    # A brief dip where MediaPipe put both feet in one place is no step: every step parts
    # the feet by a good share of the usual step.
    usual = float(np.median(sep[peaks]))
    peaks = [p for p in peaks if sep[p] >= config.min_step_share * usual]
    # A dip that does not come close to zero is no passing: the two peaks are one step.
    kept = [peaks[0]]
    for q in peaks[1:]:
        p = kept[-1]
        low = sep[p : q + 1].min()
        if low <= config.max_passing_share * min(sep[p], sep[q]):
            kept.append(q)
        elif sep[q] > sep[p]:
            kept[-1] = q
    passings = [p + int(np.argmin(sep[p : q + 1])) for p, q in zip(kept[:-1], kept[1:],
                                                                    strict=True)]
    head = sep[start : kept[0]]
    if head.size >= 2:
        i = start + int(np.argmin(head))
        if i > start and sep[i] <= config.max_passing_share * sep[kept[0]]:
            passings.insert(0, i)
    tail = sep[kept[-1] + 1 : stop]
    if tail.size >= 2:
        i = kept[-1] + 1 + int(np.argmin(tail))
        if i < stop - 1 and sep[i] <= config.max_passing_share * sep[kept[-1]]:
            passings.append(i)
    return passings


def _steady_pieces(start: int, stop: int, passings: list[int],
                   min_step: int) -> list[tuple[int, int, list[int]]]:
    """(start, stop, passings) of the parts of a run whose steps all last at least
    ``min_step`` frames. A quicker step than any cadence allows means the landmarks
    failed there (e.g. MediaPipe swapping the legs to and fro): at a run's ends the
    passing nearer the end is dropped; in between the run is cut around that step, and
    each part keeps its own count of steps and its own leg identity."""
    out = list(passings)
    short = [k for k in range(len(out) - 1) if out[k + 1] - out[k] < min_step]
    if not short:
        return [(start, stop, out)]
    k = short[0]
    if k == 0:
        return _steady_pieces(start, stop, out[1:], min_step)
    if k + 1 == len(out) - 1:
        return _steady_pieces(start, stop, out[:-1], min_step)
    return [(start, out[k] + 1, out[:k]),
            *_steady_pieces(out[k + 1], stop, out[k + 2 :], min_step)]


# --------------------------------------------------------------------------- 3. leg identity


def _steps_with_identity(
    feet: _Feet, forward_sign: np.ndarray, leg_px: float, dt_s: float, config: GaitConfig,
) -> tuple[list[tuple[int, int]], list[_Step], np.ndarray]:
    """The runs, the steps of each (``_Step.run`` indexes the runs) with the foot ahead,
    and the frames whose leg labels must be exchanged for each physical foot to keep one
    label throughout its run."""
    # > 0: the foot labelled left is ahead.
    d = _bridge_gaps(feet.centre["left"] - feet.centre["right"],
                     int(round(config.max_gap_s / dt_s)))
    sep = np.abs(d)
    labelled = np.where(d > 0, 1, -1)  # +1: the foot labelled left is ahead
    clear = sep >= config.min_prominence_leg * leg_px  # too close together to tell apart
    swapped = np.zeros(len(d), dtype=bool)
    runs: list[tuple[int, int]] = []
    steps: list[_Step] = []
    distance = max(1, int(round(config.min_event_interval_s / dt_s)))
    for whole_start, whole_stop in _runs(np.isfinite(d), forward_sign):
        passings = _passings(sep, whole_start, whole_stop, config.min_prominence_leg * leg_px,
                             distance, config)
        for start, stop, inner in _steady_pieces(whole_start, whole_stop, passings, distance):
            if stop - start < 3 or (not inner and not clear[start:stop].any()):
                continue
            run = len(runs)
            runs.append((start, stop))
            bounds = [start, *inner, stop - 1]
            # Frames of step j: after its first bound (from the run's start for the first).
            spans = [(a if j == 0 else a + 1, b)
                     for j, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))]
            # The foot ahead alternates; which of the two is the left one (+1: the foot
            # ahead in the even steps): what MediaPipe's labels say when most frames agree,
            # else what the floor says (facing image-left shows the left side).
            vote = _label_vote(labelled, sep, clear, spans)
            if abs(vote) < config.min_label_agreement:
                floor = _floor_vote(feet, labelled, sep, clear, spans, leg_px, config)
                if abs(floor) >= config.min_label_agreement:
                    vote = floor if forward_sign[start] < 0 else -floor
            even_left = 1 if vote >= 0 else -1
            for j, (a, b) in enumerate(spans):
                expected = even_left * (1 if j % 2 == 0 else -1)  # +1: left foot ahead
                wrong = labelled[a : b + 1] != expected
                weights = sep[a : b + 1] * clear[a : b + 1]
                mostly_wrong = float(weights[wrong].sum()) > float(weights[~wrong].sum())
                swapped[a : b + 1] = np.where(clear[a : b + 1], wrong, mostly_wrong)
                steps.append(_Step(run, bounds[j], bounds[j + 1],
                                   "left" if expected > 0 else "right"))
    return runs, steps, swapped


def _label_vote(labelled: np.ndarray, sep: np.ndarray, clear: np.ndarray,
                spans: list[tuple[int, int]]) -> float:
    """-1..1: how consistently MediaPipe's labels say the foot ahead in the even steps is
    the left one (frames weighted by how far apart the feet are)."""
    agree = total = 0.0
    for j, (a, b) in enumerate(spans):
        parity = 1 if j % 2 == 0 else -1
        weights = (sep * clear)[a : b + 1]
        agree += float(np.sum(weights * labelled[a : b + 1] * parity))
        total += float(np.sum(weights))
    return agree / total if total > 0 else 0.0


def _floor_vote(feet: _Feet, labelled: np.ndarray, sep: np.ndarray, clear: np.ndarray,
                spans: list[tuple[int, int]], leg_px: float, config: GaitConfig) -> float:
    """-1..1: how consistently the floor says the foot ahead in the even steps is the one
    nearer the camera. A camera above the floor draws the nearer foot lower (larger y)
    than the far one (real clips: 2-7 % of leg length). In each step the foot ahead
    stands on the floor from the feet's widest parting to the next passing; its lowest
    point there is compared with the mean of the neighbouring steps', so a floor line
    sloping across the picture does not count."""
    if len(spans) < 3:
        return 0.0
    floor = []
    for a, b in spans:
        widest = a + int(np.argmax(sep[a : b + 1]))
        frames = [i for i in range(widest, b + 1) if clear[i]]
        ahead = ["left" if labelled[i] > 0 else "right" for i in frames]
        lowest = [np.nanmax([feet.heel_y[s][i], feet.toe_y[s][i]])
                  if np.isfinite([feet.heel_y[s][i], feet.toe_y[s][i]]).any() else np.nan
                  for i, s in zip(frames, ahead, strict=True)]
        floor.append(np.nanmedian(lowest) if np.isfinite(lowest).any() else np.nan)
    floor_arr = np.array(floor)
    drop = floor_arr[1:-1] - (floor_arr[:-2] + floor_arr[2:]) / 2
    parity = np.array([1 if j % 2 == 0 else -1 for j in range(1, len(spans) - 1)])
    counted = np.isfinite(drop) & (np.abs(drop) >= config.floor_min_drop_leg * leg_px)
    if counted.sum() < 2:
        return 0.0
    return float(np.mean(np.sign(drop[counted]) * parity[counted]))


def _exchange_legs(xy_px: np.ndarray, swapped: np.ndarray) -> np.ndarray:
    out = xy_px.copy()
    for left, right in LEG_PAIRS:
        out[swapped, left], out[swapped, right] = xy_px[swapped, right], xy_px[swapped, left]
    return out


def hold_leg_identity(
    xy_px: np.ndarray, t_s: np.ndarray, forward_sign: np.ndarray, leg_length_px: float,
    config: GaitConfig | None = None,
) -> tuple[np.ndarray, int]:
    """Side-view landmarks with each leg keeping its label over whole runs of steps (see the
    module docstring, step 3), and the number of frames relabelled. Apply it before
    measuring so per-side measurements follow the same feet as the gait events."""
    config = config or GaitConfig()
    if len(t_s) < 3 or not np.isfinite(leg_length_px) or leg_length_px <= 0:
        return xy_px.copy(), 0
    dt_s = float(np.median(np.diff(t_s)))
    _, _, swapped = _steps_with_identity(_feet(xy_px, forward_sign), forward_sign,
                                         leg_length_px, dt_s, config)
    return _exchange_legs(xy_px, swapped), int(swapped.sum())


# --------------------------------------------------------------------------- 4. walking or running


def _gait_kind(steps: list[_Step], sep: np.ndarray, hip_y: np.ndarray, t_s: np.ndarray,
               leg_px: float, config: GaitConfig) -> str:
    """"running" when the pelvis is lowest where the feet pass (mid-stance) and highest
    where they are furthest apart, "walking" the other way round; the cadence decides
    when the pelvis hardly moves."""
    bobs, step_times = [], []
    for first, second in zip(steps[:-1], steps[1:], strict=True):
        if first.run != second.run:
            continue
        # The feet are furthest apart inside a step and pass at its end.
        apart_1 = first.start + int(np.argmax(sep[first.start : first.stop + 1]))
        apart_2 = second.start + int(np.argmax(sep[second.start : second.stop + 1]))
        passing = first.stop
        if apart_1 < passing < apart_2:
            bobs.append((hip_y[passing] - (hip_y[apart_1] + hip_y[apart_2]) / 2) / leg_px)
            step_times.append(t_s[apart_2] - t_s[apart_1])
    bob = float(np.nanmedian(bobs)) if np.isfinite(bobs).any() else 0.0
    if abs(bob) >= config.min_pelvis_bob_leg:
        return "running" if bob > 0 else "walking"  # image y grows downward
    if step_times:
        cadence = 60.0 / float(np.median(step_times))
        if cadence >= config.running_min_cadence_steps_per_min:
            return "running"
    return "walking"


# --------------------------------------------------------------------------- 5. events


def _extremum(signal: np.ndarray, lo: int, hi: int, run: tuple[int, int], min_size: float,
              largest: bool) -> int | None:
    """The largest (or smallest) value of ``signal`` over positions lo..hi, if it is a true
    turning point: inside the run, with seen neighbours that do not pass it, and standing
    out by ``min_size`` from the rest of the window. None otherwise (e.g. at a gap)."""
    sign = 1.0 if largest else -1.0
    window = sign * signal[lo : hi + 1]
    if not np.isfinite(window).any():
        return None
    i = lo + int(np.nanargmax(window))
    if i - 1 < run[0] or i + 1 >= run[1]:
        return None
    before, here, after = sign * signal[i - 1], sign * signal[i], sign * signal[i + 1]
    if not (np.isfinite(before) and np.isfinite(after)) or before > here or after > here:
        return None
    if here - np.nanmin(window) < min_size:
        return None
    return i


def _lift_off(toe_y: np.ndarray, lo: int, trough: int, lift_px: float) -> int | None:
    """The first position after the toe's lowest point in lo..trough at which it is more
    than ``lift_px`` above that point (image y grows downward)."""
    window = toe_y[lo : trough + 1]
    if not np.isfinite(window).any():
        return None
    low = lo + int(np.nanargmax(window))
    for i in range(low + 1, trough + 1):
        if toe_y[i] < toe_y[low] - lift_px:
            return i
    return None


def _find_events(steps: list[_Step], feet: _Feet, runs: list[tuple[int, int]], kind: str,
                 leg_px: float, config: GaitConfig) -> None:
    """Fill in each step's heel strike (of the foot ahead) and toe-off (of the foot
    behind)."""
    min_size = config.min_prominence_leg * leg_px
    for step in steps:
        run = runs[step.run]
        front, back = step.front, OTHER[step.front]
        step.heel_strike = _extremum(feet.heel[front], step.start, step.stop, run, min_size,
                                     largest=True)
        trough = _extremum(feet.toe[back], step.start, step.stop, run, min_size,
                           largest=False)
        if kind == "running" and trough is not None:
            # Where the toe is not seen to rise before it turns forward, the furthest-back
            # point (Zeni) stands: the latest the toe-off can be.
            lift = _lift_off(feet.toe_y[back], step.start, trough,
                             config.running_toe_lift_leg * leg_px)
            trough = trough if lift is None else lift
        step.toe_off = trough
        if kind == "walking" and trough is not None and step.heel_strike is not None \
                and step.heel_strike > trough:
            # Walking has double support: the foot ahead lands before the one behind
            # leaves. A "strike" after the toe-off can be MediaPipe swapping the legs for a
            # few frames late in the step (a dev limp near the picture's edge: the heel
            # drawn furthest forward 0.56 s after the true strike): where the heel turned
            # before the toe-off, that is the strike. Where it did not (a flight phase),
            # the strike stands and the timing check says the walk is implausible.
            earlier = _extremum(feet.heel[front], step.start, trough, run, min_size,
                                largest=True)
            step.heel_strike = step.heel_strike if earlier is None else earlier
    _drop_smears(steps, feet, config)


def _drop_smears(steps: list[_Step], feet: _Feet, config: GaitConfig) -> None:
    """Drop heel strikes (toe-offs) where the foot hardly travelled: a foot swings forward
    to its heel strike, and is carried back to its toe-off, by about as much at every step
    (relative to the pelvis; ``GaitConfig.min_travel_share``). A "heel strike" whose heel
    hardly came forward is a smear of MediaPipe swapping the legs to and fro, not a step.

    The travel, not the position ahead of the pelvis, is compared: where a foot lands
    relative to the pelvis differs between the feet of a limp and drifts over a clip as the
    walker crosses the view, while both ends of one travel shift alike. The feet take
    turns, so a step's front foot was the back foot of the step before, and left the
    ground there: the heel's travel runs from its rearmost point since that step's start
    (the toe's likewise from its foremost). Where that earlier event was not seen (a run's
    first steps, a gap), the travel is unknown and the event is kept."""
    travel: dict[tuple[int, str], float] = {}
    for j, step in enumerate(steps):
        prev = steps[j - 1] if j >= 1 and steps[j - 1].run == step.run else None
        if prev is None:
            continue
        # The heel comes forward from about its toe-off to its strike; the toe goes back
        # from about its heel strike to its toe-off (both found in the step before).
        for event, signal, at, sign, turned in (
                ("heel_strike", feet.heel[step.front], step.heel_strike, 1.0, prev.toe_off),
                ("toe_off", feet.toe[OTHER[step.front]], step.toe_off, -1.0,
                 prev.heel_strike)):
            if at is not None and turned is not None:
                window = sign * signal[prev.start : at + 1]
                travel[j, event] = float(window[-1] - np.nanmin(window))
    for event in ("heel_strike", "toe_off"):
        values = {j: v for (j, e), v in travel.items() if e == event}
        if not values:
            continue
        usual = float(np.median(list(values.values())))
        for j, value in values.items():
            if value < config.min_travel_share * usual:
                setattr(steps[j], event, None)


# --------------------------------------------------------------------------- 6. timing


@dataclass
class _Timing:
    """Per-stride numbers gathered before taking medians."""

    stance_pct: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    step_s: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    initial_double_support_pct: dict[str, list[float]] = field(
        default_factory=lambda: {s: [] for s in SIDES})
    opposite_strike_pct: dict[str, list[float]] = field(
        default_factory=lambda: {s: [] for s in SIDES})
    double_support_pct: list[float] = field(default_factory=list)


def _median(values: list[float]) -> float | None:
    return float(np.median(values)) if values else None


def _step_time_s(steps: list[_Step], t_s: np.ndarray) -> float | None:
    """Typical time of one step: per run, the robust (Theil-Sen) slope of heel-strike time
    against step number (so a missed heel strike does not make a long step), weighted by
    the number of steps."""
    slopes, weights = [], []
    for run in sorted({s.run for s in steps}):
        numbered = [(j, t_s[s.heel_strike]) for j, s in
                    enumerate(s for s in steps if s.run == run) if s.heel_strike is not None]
        if len(numbered) < 2:
            continue
        index, times = np.array(numbered).T
        # Steps between heel strikes counted from their times too, in case two passings
        # of the feet were not seen (the run then holds fewer steps than were taken).
        typical = float(np.median(np.diff(times) / np.diff(index)))
        index = np.concatenate([[0.0], np.cumsum(np.maximum(
            np.diff(index), np.floor(np.diff(times) / typical + 0.25)))])
        slopes.append(float(theilslopes(times, index)[0]))
        weights.append(index[-1] - index[0])
    if not slopes or sum(weights) <= 0:
        return None
    step = float(np.average(slopes, weights=weights))
    return step if step > 0 else None


def _timing(steps: list[_Step], t_s: np.ndarray, frame_index: np.ndarray,
            kind: str = "walking", config: GaitConfig | None = None) -> GaitAnalysis:
    """Events, stances, strides and timing from the steps, then the plausibility check."""
    config = config or GaitConfig()
    analysis = GaitAnalysis(kind=kind)
    numbers = _Timing()
    strides: dict[str, list[tuple[int, int]]] = {s: [] for s in SIDES}
    stride_times: list[float] = []

    def t(position: int) -> float:
        return float(t_s[position])

    for step in steps:
        if step.heel_strike is not None:
            analysis.events.append(GaitEvent(step.front, "heel_strike", t(step.heel_strike),
                                             int(frame_index[step.heel_strike]),
                                             step.heel_strike, step.run))
        if step.toe_off is not None:
            analysis.events.append(GaitEvent(OTHER[step.front], "toe_off", t(step.toe_off),
                                             int(frame_index[step.toe_off]), step.toe_off,
                                             step.run))
    for j, step in enumerate(steps):
        side, strike = step.front, step.heel_strike
        nxt = steps[j + 1] if j + 1 < len(steps) and steps[j + 1].run == step.run else None
        after = steps[j + 2] if nxt is not None and j + 2 < len(steps) and \
            steps[j + 2].run == step.run else None
        prev = steps[j - 1] if j >= 1 and steps[j - 1].run == step.run else None
        if strike is None:
            continue
        if prev is not None and prev.heel_strike is not None:
            numbers.step_s[side].append(t(strike) - t(prev.heel_strike))
        stride = None
        if after is not None and after.heel_strike is not None:
            strides[side].append((strike, after.heel_strike))
            stride = t(after.heel_strike) - t(strike)
            stride_times.append(stride)
        if nxt is None or nxt.toe_off is None:
            continue
        toe_off = nxt.toe_off
        # Single support: the other foot is off the ground, from its toe-off to its strike.
        single_start = max(strike, step.toe_off) if step.toe_off is not None else None
        single_end = min(toe_off, nxt.heel_strike) if nxt.heel_strike is not None else None
        if single_start is not None and single_end is not None and single_end <= single_start:
            single_start = single_end = None
        analysis.stances.append(Stance(side, t(strike), t(toe_off), strike, toe_off,
                                       single_start, single_end))
        if stride is None or stride <= 0:
            continue
        numbers.stance_pct[side].append(100 * (t(toe_off) - t(strike)) / stride)
        if step.toe_off is not None:
            first = 100 * (t(step.toe_off) - t(strike)) / stride
            numbers.initial_double_support_pct[side].append(first)
            if nxt.heel_strike is not None:
                second = 100 * (t(toe_off) - t(nxt.heel_strike)) / stride
                numbers.double_support_pct.append(max(first, 0.0) + max(second, 0.0))
        if nxt.heel_strike is not None:
            numbers.opposite_strike_pct[side].append(
                100 * (t(nxt.heel_strike) - t(strike)) / stride)

    analysis.events.sort(key=lambda e: (e.t_s, e.side, e.kind))
    analysis.stances.sort(key=lambda s: s.start_t_s)
    analysis.stride_positions = strides
    analysis.strides_per_side = {s: len(strides[s]) for s in SIDES}
    analysis.stance_phase_pct = {s: _median(numbers.stance_pct[s]) for s in SIDES}
    analysis.step_time_s = {s: _median(numbers.step_s[s]) for s in SIDES}
    analysis.double_support_pct = _median(numbers.double_support_pct)
    step_s = _step_time_s(steps, t_s)
    if step_s is None and stride_times:
        step_s = float(np.median(stride_times)) / 2
    if step_s is not None:
        analysis.stride_time_s = 2 * step_s
        analysis.cadence_steps_per_min = 60.0 / step_s
    analysis.unreliable_reason = _implausible(analysis, numbers, config)
    analysis.reliable = analysis.unreliable_reason is None
    return analysis


def _implausible(analysis: GaitAnalysis, numbers: _Timing, config: GaitConfig) -> str | None:
    """Why the timing cannot be a real walk (or run), in a plain clause; None if it can."""
    kind = analysis.kind
    if not analysis.events:
        return "no steps were found"
    if not any(analysis.strides_per_side.values()) or analysis.cadence_steps_per_min is None:
        return "no full stride (heel strike to the same foot's next heel strike) was found"
    if all(v is None for v in analysis.stance_phase_pct.values()):
        return "no foot was seen from heel strike to toe-off within a full stride"
    c = config
    cadence_range = ((c.walking_min_cadence_steps_per_min, c.walking_max_cadence_steps_per_min)
                     if kind == "walking" else
                     (c.running_min_cadence_steps_per_min, c.running_max_cadence_steps_per_min))
    stance_range = ((c.walking_min_stance_pct, c.walking_max_stance_pct) if kind == "walking"
                    else (c.running_min_stance_pct, c.running_max_stance_pct))
    cadence = analysis.cadence_steps_per_min
    if not cadence_range[0] <= cadence <= cadence_range[1]:
        return (f"the cadence came out at {cadence:.0f} steps/min, outside the "
                f"{cadence_range[0]:.0f}-{cadence_range[1]:.0f} steps/min of {kind}")
    for side in SIDES:
        stance = analysis.stance_phase_pct.get(side)
        if stance is not None and not stance_range[0] <= stance <= stance_range[1]:
            return (f"the {side} foot stayed on the ground for {stance:.0f}% of its stride, "
                    f"but in {kind} a foot does so for {stance_range[0]:.0f}-"
                    f"{stance_range[1]:.0f}%")
    for side in SIDES:
        strike = _median(numbers.opposite_strike_pct[side])
        low, high = c.min_opposite_heel_strike_pct, c.max_opposite_heel_strike_pct
        if strike is not None and not low <= strike <= high:
            return (f"the {OTHER[side]} heel struck the ground {strike:.0f}% into the {side} "
                    f"stride, but the steps of the two feet take {low:.0f}-{high:.0f}% of "
                    "a stride each")
    if kind == "walking":
        low, high = c.walking_min_double_support_pct, c.walking_max_double_support_pct
        for side in SIDES:
            both = _median(numbers.initial_double_support_pct[side])
            if both is not None and not low <= both <= high:
                return (f"both feet were on the ground for {both:.0f}% of the stride after "
                        f"the {side} heel strike, but in walking they are for "
                        f"{low:.0f}-{high:.0f}%")
    return None


# --------------------------------------------------------------------------- the stage


def detect_gait(
    xy_px: np.ndarray,
    t_s: np.ndarray,
    frame_index: np.ndarray,
    forward_sign: np.ndarray,
    leg_length_px: float,
    config: GaitConfig,
) -> GaitAnalysis:
    """Heel strikes, toe-offs, strides and timing from cleaned side-view landmarks (steps
    1-6 of the module docstring)."""
    if len(t_s) < 3 or not np.isfinite(leg_length_px) or leg_length_px <= 0:
        return GaitAnalysis()
    dt_s = float(np.median(np.diff(t_s)))
    feet = _feet(xy_px, forward_sign)
    runs, steps, swapped = _steps_with_identity(feet, forward_sign, leg_length_px, dt_s,
                                                config)
    if not steps:
        return GaitAnalysis()
    xy = _exchange_legs(xy_px, swapped)
    feet = _feet(xy, forward_sign)
    sep = np.abs(_bridge_gaps(feet.centre["left"] - feet.centre["right"],
                              int(round(config.max_gap_s / dt_s))))
    hip_y = _nanmean([xy[:, LEFT_HIP, 1], xy[:, RIGHT_HIP, 1]])
    kind = _gait_kind(steps, sep, hip_y, t_s, leg_length_px, config)
    _find_events(steps, feet, runs, kind, leg_length_px, config)
    analysis = _timing(steps, t_s, frame_index, kind, config)
    analysis.legs_relabelled_frames = int(swapped.sum())
    return analysis
