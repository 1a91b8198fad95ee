"""Hollow back / sway-back: the upper body bent backwards over hips pushed forward.

MediaPipe has no spine points, so lordosis itself cannot be measured (clinical.md §1). The
proxy: the trunk line (hip centre -> shoulder centre) leans back from vertical while the hip
centre is not behind the ankles (the sway-back pattern [R12][R13]). Knees pressed back and
hip extension are reported beside it as support. Bands in ``config.hollow_back``.
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

ID = "hollow_back"
TITLE = "Hollow back: upper body leaning back"
VIEWS = ("side_left", "side_right")


def assess(inputs: CheckInput) -> Finding:
    settings = inputs.config.hollow_back
    bands = settings.bands
    if not sees(inputs, ("side",)):
        return not_assessable(ID, TITLE, "deg", bands.detect, VIEWS,
                              "Needs a side view: film the person side-on.")
    values = inputs.measurements.values
    trunk = values["trunk_inclination_deg"]
    frames = view_matches(inputs, ("side",)) & np.isfinite(trunk)
    if inputs.activity != "walking":
        frames &= inputs.still
    if frames.sum() < min_frames(inputs):
        return not_assessable(ID, TITLE, "deg", bands.detect, VIEWS,
                              "Too few frames show shoulders and hips clearly.")
    lean_back_deg = float(np.median(trunk[frames]))
    hip_offset = values["hip_forward_offset_pct"][frames]
    hip_forward_pct = float(np.nanmedian(hip_offset)) if np.isfinite(hip_offset).any() else None
    status, severity = verdict(bands, lean_back_deg)
    if status == "detected" and hip_forward_pct is not None and (
        hip_forward_pct < settings.min_hip_forward_offset_pct
    ):
        # Leaning back with the hips behind the feet is a different pattern (e.g. a
        # backward sway of the whole body), not the over-erect posture.
        status, severity = "not_detected", "none"
        message = (f"The upper body leans back {lean_back_deg:.0f}°, but the hips sit behind "
                   "the feet, which is not the hollow-back pattern.")
    elif status == "detected":
        message = f"The upper body leans back {lean_back_deg:.0f}° from vertical over the hips."
    else:
        message = f"The upper body is {_describe(lean_back_deg)}."
    details = {"hip_forward_offset_pct": None if hip_forward_pct is None else round(
        hip_forward_pct, 1)}
    for side in ("left", "right"):
        hip_ext = values[f"hip_extension_{side}_deg"][frames]
        if np.isfinite(hip_ext).any():
            details[f"hip_extension_{side}_deg"] = round(float(np.nanmedian(hip_ext)), 1)
    return Finding(
        ID, TITLE, status, severity, None, lean_back_deg, "deg", bands.detect,
        confidence(lean_back_deg, bands.detect, int(frames.sum()), len(trunk)),
        evidence_frames(inputs, trunk, frames), VIEWS, message, details,
    )


def _describe(lean_back_deg: float) -> str:
    if lean_back_deg <= -3:
        return f"leaning forward {abs(lean_back_deg):.0f}°"
    return f"close to upright ({lean_back_deg:+.0f}°, backward positive)"
