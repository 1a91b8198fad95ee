"""Stage 4b: gait events and timing for walking seen from the side.

Zeni's method [R50]: a heel strike is a peak of the heel's forward distance from the pelvis,
a toe-off a trough of the toe's forward distance from the pelvis (MediaPipe heel 29/30,
foot_index 31/32 minus the hip midpoint along the walking direction). From the events:
strides, stride time, cadence, and stance phases (heel strike to toe-off of the same foot).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.signal import find_peaks

from .config import GaitConfig
from .landmarks import LEFT_HIP, RIGHT_HIP, SIDE_POINTS


@dataclass(frozen=True)
class GaitEvent:
    side: str  # "left" | "right"
    kind: str  # "heel_strike" | "toe_off"
    t_s: float
    frame_index: int
    position: int  # index into the analysed sequence


@dataclass(frozen=True)
class Stance:
    side: str
    start_t_s: float  # heel strike
    end_t_s: float  # toe-off
    start_position: int
    end_position: int


@dataclass
class GaitAnalysis:
    events: list[GaitEvent] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)
    strides_per_side: dict[str, int] = field(default_factory=dict)
    stride_time_s: float | None = None
    cadence_steps_per_min: float | None = None
    stance_phase_pct: dict[str, float | None] = field(default_factory=dict)

    def stride_windows(self, side: str) -> list[tuple[int, int]]:
        """(start, stop) sequence positions of each stride of ``side``, heel strike to the
        next heel strike of the same foot."""
        strikes = [e.position for e in self.events if e.side == side and e.kind == "heel_strike"]
        return list(zip(strikes[:-1], strikes[1:], strict=True))

    def to_dict(self) -> dict:
        return {
            "method": "Zeni: heel and toe forward distance from the pelvis, peaks and troughs",
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
        }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def _extrema(
    signal: np.ndarray, t_s: np.ndarray, leg_px: float, config: GaitConfig, troughs: bool
) -> np.ndarray:
    finite = np.isfinite(signal)
    if finite.sum() < 5:
        return np.zeros(0, dtype=int)
    filled = np.interp(np.arange(len(signal)), np.flatnonzero(finite), signal[finite])
    if troughs:
        filled = -filled
    dt = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 1.0
    distance = max(1, int(round(config.min_event_interval_s / dt)))
    peaks, _ = find_peaks(filled, distance=distance, prominence=config.min_prominence_leg * leg_px)
    # A peak inside a gap is an interpolation artefact, not an event.
    return np.array([i for i in peaks if finite[i]], dtype=int)


def detect_gait(
    xy_px: np.ndarray,
    t_s: np.ndarray,
    frame_index: np.ndarray,
    forward_sign: np.ndarray,
    leg_length_px: float,
    config: GaitConfig,
) -> GaitAnalysis:
    """Heel strikes, toe-offs, strides and timing from cleaned side-view landmarks.

    Events are found on the leading heel and the trailing toe, whichever foot they belong
    to, and then given to a foot; feet take turns, so where MediaPipe swapped the legs'
    labels the side with the clearer lead wins and the other event of a same-side pair is
    handed to the other foot.
    """
    hip_x = (xy_px[:, LEFT_HIP, 0] + xy_px[:, RIGHT_HIP, 0]) / 2
    fwd = np.where(forward_sign != 0, forward_sign, np.nan)
    ahead = {
        part: {side: (xy_px[:, pts[part], 0] - hip_x) * fwd for side, pts in SIDE_POINTS.items()}
        for part in ("heel", "toe")
    }
    heel_l, heel_r = ahead["heel"]["left"], ahead["heel"]["right"]
    toe_l, toe_r = ahead["toe"]["left"], ahead["toe"]["right"]
    # A foot is "leading" by how much further ahead its heel is than the other heel.
    lead_margin = heel_l - heel_r
    trail_margin = toe_r - toe_l  # positive: the left toe is further behind
    events: list[GaitEvent] = []
    for kind, signal, margin, troughs in (
        ("heel_strike", np.fmax(heel_l, heel_r), lead_margin, False),
        ("toe_off", np.fmin(toe_l, toe_r), trail_margin, True),
    ):
        positions = _extrema(signal, t_s, leg_length_px, config, troughs)
        sides = _alternate(["left" if margin[p] >= 0 else "right" for p in positions],
                           [abs(margin[p]) for p in positions], [t_s[p] for p in positions],
                           [float(forward_sign[p]) for p in positions])
        events.extend(
            GaitEvent(side, kind, float(t_s[p]), int(frame_index[p]), int(p))
            for p, side in zip(positions, sides, strict=True)
        )
    events.sort(key=lambda e: (e.t_s, e.side, e.kind))
    return _timing(events)


def _alternate(sides: list[str], confidence: list[float],
               times_s: list[float] | None = None,
               directions: list[float] | None = None) -> list[str]:
    """Make consecutive events alternate feet, anchored on the most clear-cut event of each
    run of steps (a gap of more than 1.6 median steps, or a turn, starts a new run: a
    missed event must not flip every later one).

    >>> _alternate(["left", "left", "right"], [5.0, 1.0, 4.0])
    ['left', 'right', 'left']
    """
    out = list(sides)
    if not out:
        return out
    times = np.arange(len(out), dtype=float) if times_s is None else np.asarray(times_s)
    steps = np.diff(times)
    typical = float(np.median(steps)) if steps.size else 0.0
    turns = directions if directions is not None else [0.0] * len(out)
    breaks = [0] + [
        i + 1 for i, step in enumerate(steps)
        if step > 1.6 * typical or turns[i] != turns[i + 1]
    ] + [len(out)]
    # An event whose feet could not both be seen (NaN) never anchors a run.
    clear = np.nan_to_num(np.asarray(confidence, dtype=float), nan=0.0)
    for start, stop in zip(breaks[:-1], breaks[1:], strict=True):
        anchor = start + int(np.argmax(clear[start:stop]))
        for i in range(start, stop):
            same = (i - anchor) % 2 == 0
            out[i] = sides[anchor] if same else ("right" if sides[anchor] == "left" else "left")
    return out


def _timing(events: list[GaitEvent]) -> GaitAnalysis:
    analysis = GaitAnalysis(events=events)
    stride_times: list[float] = []
    for side in ("left", "right"):
        strikes = [e for e in events if e.side == side and e.kind == "heel_strike"]
        offs = [e for e in events if e.side == side and e.kind == "toe_off"]
        analysis.strides_per_side[side] = max(0, len(strikes) - 1)
        side_stance_pct = []
        for first, second in zip(strikes[:-1], strikes[1:], strict=True):
            stride = second.t_s - first.t_s
            stride_times.append(stride)
            toe_off = next((o for o in offs if first.t_s < o.t_s < second.t_s), None)
            if toe_off is not None:
                side_stance_pct.append(100 * (toe_off.t_s - first.t_s) / stride)
        for strike in strikes:
            toe_off = next((o for o in offs if o.t_s > strike.t_s), None)
            next_strike = next((s for s in strikes if s.t_s > strike.t_s), None)
            if toe_off is not None and (next_strike is None or toe_off.t_s < next_strike.t_s):
                analysis.stances.append(
                    Stance(side, strike.t_s, toe_off.t_s, strike.position, toe_off.position)
                )
        analysis.stance_phase_pct[side] = (
            float(np.median(side_stance_pct)) if side_stance_pct else None
        )
    if stride_times:
        analysis.stride_time_s = float(np.median(stride_times))
        analysis.cadence_steps_per_min = 120.0 / analysis.stride_time_s
    analysis.stances.sort(key=lambda s: s.start_t_s)
    return analysis
