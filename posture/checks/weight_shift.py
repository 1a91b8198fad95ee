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

from .base import (
    CheckInput,
    Finding,
    confidence,
    evidence_frames,
    min_frames,
    not_assessable,
    sees,
    verdict,
    view_matches,
)

ID = "weight_shift"
TITLE = "Weight shifted onto one leg"
VIEWS = ("front", "back")


def assess(inputs: CheckInput) -> Finding:
    settings = inputs.config.weight_shift
    bands = settings.bands
    if not sees(inputs, ("front", "back")):
        return not_assessable(
            ID, TITLE, "%", bands.detect, VIEWS,
            "Needs a front or back view: have the person face the camera squarely.")
    if inputs.activity == "walking":
        return not_assessable(ID, TITLE, "%", bands.detect, VIEWS,
                              "Judged in quiet standing; this recording shows walking.")
    values = inputs.measurements.values
    lift_left = values["foot_lift_left_pct"]
    share = np.where(lift_left >= settings.lifted_foot_pct, 100.0,
                     np.where(lift_left <= -settings.lifted_foot_pct, 0.0,
                              values["load_share_right_pct"]))
    frames = view_matches(inputs, VIEWS) & inputs.still & np.isfinite(share)
    if frames.sum() < min_frames(inputs):
        return not_assessable(ID, TITLE, "%", bands.detect, VIEWS,
                              "Too few steady frames show both hips and both feet clearly apart.")
    right_pct = float(np.median(share[frames]))
    loaded_side = "right" if right_pct >= 50 else "left"
    heavy_pct = right_pct if loaded_side == "right" else 100 - right_pct
    heavy_series = np.where(share >= 50, share, 100 - share)
    time_past_pct = float(100 * np.mean(heavy_series[frames] >= bands.detect))
    status, severity = verdict(bands, heavy_pct)
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
    else:
        message = (f"Weight looks evenly shared ({100 - right_pct:.0f}% left, "
                   f"{right_pct:.0f}% right).")
    return Finding(
        ID, TITLE, status, severity, loaded_side if status == "detected" else None,
        heavy_pct, "%", bands.detect,
        confidence(heavy_pct, bands.detect, int(frames.sum()), len(share), scale=5.0),
        evidence_frames(inputs, share, frames), VIEWS, message,
        {"load_share_right_pct": round(right_pct, 1), "time_past_cutoff_pct": round(
            time_past_pct, 1), "pelvic_obliquity_deg": None if obliquity_deg is None else round(
            obliquity_deg, 1), "pelvis_drop_supports": pelvis_drop_supports},
    )
