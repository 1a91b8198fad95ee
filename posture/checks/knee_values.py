"""Knee flexion at the moments the knee checks judge: quiet standing, or mid-to-terminal stance.

Standing: the median over the quiet-standing side-view frames. Walking: for each stance
phase, the straightest the knee gets over single support (the other foot's toe-off to its
heel strike), i.e. peak extension in mid to terminal stance, then the median over stance
phases (clinical.md §2-3 and "Gait phases"). Initial contact, where the leading leg reaches
forward and a straight knee can read as bent backwards, and swing never count. A side needs
``config.knee_in_gait.min_stances_per_side`` stance phases for a finding (fewer, down to
``min_stances_to_clear``, can only clear it or leave it uncertain). The leg nearer the camera is
measured better than the far one, which is half hidden: the far leg carries a larger error,
and so do knees under long or loose trousers (``Config.clothing_at_knees``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import clothing_knee_sd_deg
from ..gait import GaitAnalysis, Stance
from .base import (
    CheckInput,
    Evidence,
    combined_sd,
    gait_refusal,
    judged_frames,
    min_frames,
    off_axis_sd,
)


@dataclass(frozen=True)
class KneeReading:
    side: str
    value_deg: float
    evidence: list[Evidence]
    n_good: int  # frames (standing) or stance phases (walking) behind the value
    n_total: int
    error_sd_deg: float  # measurement plus systematic error of this reading
    near: bool | None  # the leg nearer the camera (None: not known)


def knee_readings(inputs: CheckInput) -> list[KneeReading]:
    """Readings of both sides that have enough data (walking: enough stance phases)."""
    return [r for r in (knee_reading(inputs, s) for s in ("left", "right")) if r]


def too_few_stances_message(inputs: CheckInput) -> str:
    refusal = gait_refusal(inputs)
    if refusal:
        return refusal
    need = inputs.config.knee_in_gait.min_stances_to_clear
    seen = {side: len(single_support_windows(inputs.gait, side, inputs))
            for side in ("left", "right")} if inputs.gait is not None else {}
    counts = ", ".join(f"{n} {side}" for side, n in seen.items())
    return (f"Needs at least {need} clear steps per leg seen side-on "
            f"(this walk shows {counts or 'none'}): film a longer walk past the camera.")


def single_support_windows(gait: GaitAnalysis | None, side: str,
                           inputs: CheckInput) -> list[tuple[Stance, int, int]]:
    """(stance, start, stop) sequence positions of the single-support part of each of
    ``side``'s stance phases, as the gait stage found it (the other foot's toe-off to its
    heel strike), or the middle of the stance phase where it could not."""
    if gait is None:
        return []
    settings = inputs.config.knee_in_gait
    out = []
    for stance in (s for s in gait.stances if s.side == side):
        start, end = stance.start_position, stance.end_position
        if end - start < 2:
            continue
        off, strike = stance.single_support_start_position, stance.single_support_end_position
        if off is None or strike is None:
            off = start + int(round(settings.single_support_from_share * (end - start)))
            strike = start + int(round(settings.single_support_to_share * (end - start)))
        out.append((stance, off, strike))
    return out


def _near_side(inputs: CheckInput) -> str | None:
    if inputs.view in ("side_left", "side_right"):
        return inputs.view.removeprefix("side_")
    return None


def knee_reading(inputs: CheckInput, side: str) -> KneeReading | None:
    """The judged knee flexion of one side, or None when there are too few good frames."""
    m = inputs.measurements
    settings = inputs.config.uncertainty
    values = m.values[f"knee_flexion_{side}_deg"]
    in_view = judged_frames(inputs, ("side",))
    near_side = _near_side(inputs)
    near = None if near_side is None else near_side == side
    far_sd = settings.far_leg_extra_sd_deg if near is False else 0.0
    clothing_sd = clothing_knee_sd_deg(inputs.config)
    if inputs.activity == "walking":
        if gait_refusal(inputs):
            return None
        minima: list[Evidence] = []
        windows = single_support_windows(inputs.gait, side, inputs)
        used = np.zeros(len(values), dtype=bool)
        for _stance, start, stop in windows:
            window = values[start : stop + 1]
            ok = np.isfinite(window) & in_view[start : stop + 1]
            if ok.sum() < max(2, 0.5 * len(window)):
                continue
            pos = start + int(np.nanargmin(np.where(ok, window, np.nan)))
            used[start : stop + 1] |= ok
            minima.append(Evidence(int(m.frame_index[pos]), float(m.t_s[pos]), float(values[pos])))
        if len(minima) < inputs.config.knee_in_gait.min_stances_to_clear:
            return None
        value = float(np.median([e.value for e in minima]))
        sd = combined_sd(settings.knee_walking_sd_deg, far_sd, clothing_sd,
                         off_axis_sd(inputs, used))
        return KneeReading(side, value, minima, len(minima), len(windows), sd, near)
    usable = inputs.still & in_view & np.isfinite(values)
    if usable.sum() < min_frames(inputs):
        return None
    positions = np.flatnonzero(usable)
    if positions.size > 5:
        positions = positions[np.linspace(0, positions.size - 1, 5).round().astype(int)]
    evidence = [Evidence(int(m.frame_index[i]), float(m.t_s[i]), float(values[i]))
                for i in positions]
    total = int((inputs.still & in_view).sum())
    sd = combined_sd(settings.knee_standing_sd_deg, far_sd, clothing_sd,
                     off_axis_sd(inputs, usable))
    return KneeReading(side, float(np.median(values[usable])), evidence, int(usable.sum()),
                       total, sd, near)


def too_few_steps_note(inputs: CheckInput, reading: KneeReading) -> str:
    """Why a walking reading past the threshold is only uncertain: too few steps seen."""
    need = inputs.config.knee_in_gait.min_stances_per_side
    if inputs.activity == "walking" and reading.n_good < need:
        return f" Only {reading.n_good} steps of this leg were seen; {need} are needed to call it."
    return ""


def whose_knees(sides: list[str]) -> str:
    """'Both knees', 'The left knee', ... for messages."""
    return "Both knees" if len(sides) == 2 else f"The {sides[0]} knee"
