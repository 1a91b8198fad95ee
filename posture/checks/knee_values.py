"""Knee flexion at the moments the knee checks judge: quiet standing, or stance in gait.

Standing: the median over the quiet-standing side-view frames. Walking: for each stance
phase (heel strike to toe-off) the least flexion reached, i.e. peak stance extension
(clinical.md §2-3), then the median over strides. Swing-phase values never count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import CheckInput, Evidence, min_frames, view_matches


@dataclass(frozen=True)
class KneeReading:
    side: str
    value_deg: float
    evidence: list[Evidence]
    n_good: int  # frames (standing) or stance phases (walking) behind the value
    n_total: int


def knee_readings(inputs: CheckInput) -> list[KneeReading]:
    """Readings of both sides that have enough data. Walking needs at least
    ``config.gait.min_strides`` stance phases over both sides together."""
    readings = [r for r in (knee_reading(inputs, s) for s in ("left", "right")) if r]
    if inputs.activity == "walking" and inputs.gait is not None and (
        sum(r.n_good for r in readings) < inputs.config.gait.min_strides
    ):
        return []
    return readings


def knee_reading(inputs: CheckInput, side: str) -> KneeReading | None:
    """The judged knee flexion of one side, or None when there are too few good frames."""
    m = inputs.measurements
    values = m.values[f"knee_flexion_{side}_deg"]
    in_view = view_matches(inputs, ("side",))
    if inputs.activity == "walking" and inputs.gait is not None:
        minima: list[Evidence] = []
        stances = [s for s in inputs.gait.stances if s.side == side]
        for stance in stances:
            window = values[stance.start_position : stance.end_position + 1]
            ok = np.isfinite(window) & in_view[stance.start_position : stance.end_position + 1]
            if ok.sum() < max(2, 0.5 * len(window)):
                continue
            pos = stance.start_position + int(np.nanargmin(np.where(ok, window, np.nan)))
            minima.append(Evidence(int(m.frame_index[pos]), float(m.t_s[pos]), float(values[pos])))
        if not minima:
            return None
        value = float(np.median([e.value for e in minima]))
        return KneeReading(side, value, minima, len(minima), len(stances))
    usable = inputs.still & in_view & np.isfinite(values)
    if usable.sum() < min_frames(inputs):
        return None
    positions = np.flatnonzero(usable)
    if positions.size > 5:
        positions = positions[np.linspace(0, positions.size - 1, 5).round().astype(int)]
    evidence = [Evidence(int(m.frame_index[i]), float(m.t_s[i]), float(values[i]))
                for i in positions]
    total = int((inputs.still & in_view).sum())
    return KneeReading(side, float(np.median(values[usable])), evidence, int(usable.sum()), total)


def whose_knees(sides: list[str]) -> str:
    """'Both knees', 'The left knee', ... for messages."""
    return "Both knees" if len(sides) == 2 else f"The {sides[0]} knee"
