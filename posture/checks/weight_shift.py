"""One-sided weight shifting in standing, seen from the front or the back.

Load-share proxy: where the hip centre sits between the ankles (0 % over the left ankle,
100 % over the right), which works about as well as a whole-body centre of mass in static
tasks [R32]; a frame with one foot lifted puts all the weight on the other leg.
Healthy people sway from leg to leg, so the check reports the median share and
the share of time spent past the cut-off [R31]. Detected from 59 % on one leg [R34]; a
pelvis dropping on the free side is supporting evidence. Bands in ``config.weight_shift``.
"""

from __future__ import annotations

import numpy as np

from ..landmarks import LEFT_ANKLE, RIGHT_ANKLE
from .base import (
    CheckInput,
    Finding,
    combined_sd,
    decide,
    evidence_frames,
    judged_frames,
    median_off_axis_deg,
    min_frames,
    not_assessable,
    view_refusal,
)

ID = "weight_shift"
TITLE = "Weight shifted onto one leg"
VIEWS = ("front", "back")


def _load_share_sd_pct(inputs: CheckInput, frames: np.ndarray) -> float:
    """Error of the load share: its own, plus the camera roll left after levelling (the
    hips sit a leg length above the feet, so a degree of roll moves them sideways by
    leg * 1.7 %, against the feet's spread), plus a turned camera."""
    xy = inputs.measurements.xy_px[frames]
    span_px = np.abs(xy[:, RIGHT_ANKLE, 0] - xy[:, LEFT_ANKLE, 0])
    span_px = float(np.nanmedian(span_px)) if np.isfinite(span_px).any() else np.nan
    leg_px = inputs.measurements.leg_length_px
    roll_sd = (inputs.camera.roll_uncertainty_deg if inputs.camera is not None
               else inputs.config.camera.roll_unmeasured_uncertainty_deg)
    roll_pct = (100 * np.radians(roll_sd) * leg_px / span_px
                if np.isfinite(span_px) and span_px > 0 else 0.0)
    # A turned camera shifts the hips (a few cm ahead of the ankles) sideways by tan(a).
    off_axis = np.radians(median_off_axis_deg(inputs, frames))
    off_pct = inputs.config.uncertainty.load_share_sd_per_tan_off_axis * np.tan(off_axis)
    return combined_sd(inputs.config.uncertainty.load_share_sd_pct, roll_pct, off_pct)


def foot_rise_pct(inputs: CheckInput, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) rise of each ankle above its own floor contact, % of leg length: the
    lowest it is drawn within each unbroken stretch of ``frames`` (a walk toward the
    camera moves the floor in the picture, so each standing bout has its own). NaN
    outside ``frames``; 0 in a photo, where no floor contact is known. A foot is lifted
    when it rises from its own floor contact, not when it is drawn higher than the other:
    a foot set further back is drawn higher by a camera above the floor, yet stands on it.
    """
    xy = inputs.measurements.level_xy_px
    leg_px = inputs.measurements.leg_length_px
    rises = []
    for ankle in (LEFT_ANKLE, RIGHT_ANKLE):
        y = xy[:, ankle, 1]
        rise = np.full(len(y), np.nan)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], frames.astype(int), [0]])))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            bout = y[start:stop]
            if np.isfinite(bout).any():
                rise[start:stop] = 100 * (np.nanpercentile(bout, 95) - bout) / leg_px
        rises.append(rise)
    return rises[0], rises[1]


def _free_foot_raised(inputs: CheckInput, gap_pct: float, frames: np.ndarray) -> bool:
    """In a photo no floor contact is known, so a foot drawn higher is either set back or
    raised. When the hips stand over the other, lower foot, it is the free leg of a weight
    shift (heel raised, knee bent), which the load share then shows; over the higher foot
    or between the two, a photo cannot tell."""
    if inputs.kind != "image":
        return False
    share = inputs.measurements.values["load_share_right_pct"][frames]
    share = share[np.isfinite(share)]
    if not share.size:
        return False
    right_pct = float(np.median(share))
    detect = inputs.config.weight_shift.bands.detect
    left_higher = gap_pct > 0
    return right_pct >= detect if left_higher else right_pct <= 100 - detect


def assess(inputs: CheckInput) -> Finding:
    settings = inputs.config.weight_shift
    bands = settings.bands
    refusal = view_refusal(inputs, ("front", "back"),
                           "a front or back view: have the person face the camera squarely")
    if refusal:
        return not_assessable(ID, TITLE, "%", bands.detect, VIEWS, refusal)
    frontal = judged_frames(inputs, VIEWS)
    still = inputs.still & frontal
    if inputs.activity != "standing" and still.sum() < 3 * min_frames(inputs):
        return not_assessable(ID, TITLE, "%", bands.detect, VIEWS,
                              "Judged in quiet standing; this recording shows walking.")
    values = inputs.measurements.values
    # Each foot's floor contact: over the whole standing recording (a foot lifted for a
    # while comes down again), over each still bout when the person also walks.
    rise_left, rise_right = foot_rise_pct(
        inputs, frontal if inputs.activity == "standing" else still)
    lifted = settings.lifted_foot_pct
    # Neither foot lifted from its own floor contact (photos: no floor known, none lifted).
    with np.errstate(invalid="ignore"):
        both_down = ~((rise_left >= lifted) | (rise_right >= lifted))
    height_gap = values["foot_lift_left_pct"][still & both_down]
    height_gap = height_gap[np.isfinite(height_gap)]
    gap_pct = float(np.median(height_gap)) if height_gap.size else 0.0
    if abs(gap_pct) > settings.stagger_max_pct and not _free_foot_raised(inputs, gap_pct, still):
        what = ("one foot stands in front of the other, or is lifted"
                if inputs.kind == "image" else "one foot stands in front of the other")
        return not_assessable(
            ID, TITLE, "%", bands.detect, VIEWS,
            f"Not assessable, because {what}: seen from the front, the feet are then "
            "not side by side and the hips cannot be placed between them. Stand with both "
            "feet side by side, hip-width apart.")
    with np.errstate(invalid="ignore"):
        share = np.where(rise_left >= lifted, 100.0,
                         np.where(rise_right >= lifted, 0.0, values["load_share_right_pct"]))
    frames = still & np.isfinite(share)
    if frames.sum() < min_frames(inputs):
        return not_assessable(ID, TITLE, "%", bands.detect, VIEWS,
                              "Too few steady frames show both hips and both feet clearly apart.")
    right_pct = float(np.median(share[frames]))
    loaded_side = "right" if right_pct >= 50 else "left"
    heavy_pct = right_pct if loaded_side == "right" else 100 - right_pct
    heavy_series = np.where(share >= 50, share, 100 - share)
    time_past_pct = float(100 * np.mean(heavy_series[frames] >= bands.detect))
    error_sd = _load_share_sd_pct(inputs, frames)
    status, severity, conf = decide(bands, heavy_pct, error_sd, int(frames.sum()),
                                    int(still.sum()), inputs.config)
    obliquity = inputs.measurements.values["pelvic_obliquity_deg"][frames]
    obliquity_deg = float(np.nanmedian(obliquity)) if np.isfinite(obliquity).any() else None
    # Standing on the right leg drops the left (free) side: obliquity negative.
    pelvis_drop_supports = obliquity_deg is not None and (
        abs(obliquity_deg) >= settings.supporting_obliquity_deg
        and (obliquity_deg < 0) == (loaded_side == "right")
    )
    if status == "detected":
        message = (f"About {heavy_pct:.0f}% of the weight rests on the {loaded_side} leg "
                   f"(hips over the {loaded_side} foot {time_past_pct:.0f}% of the time).")
        if pelvis_drop_supports:
            message += " The pelvis drops on the other side, which fits."
    elif status == "uncertain":
        message = (f"Perhaps more weight on the {loaded_side} leg (about {heavy_pct:.0f}%), "
                   f"but within this camera's error (about ±{error_sd:.0f} points); worth a "
                   "look by eye.")
    else:
        message = (f"Weight looks evenly shared ({100 - right_pct:.0f}% left, "
                   f"{right_pct:.0f}% right).")
    return Finding(
        ID, TITLE, status, severity, loaded_side if status != "not_detected" else None,
        heavy_pct, "%", bands.detect, conf,
        evidence_frames(inputs, share, frames), VIEWS, message,
        {"load_share_right_pct": round(right_pct, 1), "time_past_cutoff_pct": round(
            time_past_pct, 1), "pelvic_obliquity_deg": None if obliquity_deg is None else round(
            obliquity_deg, 1), "pelvis_drop_supports": pelvis_drop_supports,
         "error_sd_pct": round(error_sd, 1)},
    )
