"""Hollow back / sway-back: the upper body bent backwards over hips pushed forward.

MediaPipe has no spine points, so lordosis itself cannot be measured (clinical.md §1). The
proxy: the trunk line (hip centre -> shoulder centre) leans back from vertical while the hip
centre is not behind the ankles (the sway-back pattern [R12][R13]). Knees pressed back and
hip extension are reported beside it as support. Bands in ``config.hollow_back``.

Judged in quiet standing only: the over-erect posture is a standing one, and walkers lean
slightly forward by norm while perspective alone moves their trunk line by several degrees
across the picture (clinical.md "Gait phases and the checks"). In a walk the trunk
inclination is reported as a measurement, not judged. The camera's roll, and how well it
could be measured, enters the error: an unlevelled phone makes an upright trunk lean.
"""

from __future__ import annotations

import numpy as np

from .base import (
    CheckInput,
    Finding,
    combined_sd,
    decide,
    evidence_frames,
    judged_frames,
    min_frames,
    not_assessable,
    off_axis_sd,
    view_refusal,
)

ID = "hollow_back"
TITLE = "Hollow back: upper body leaning back"
VIEWS = ("side_left", "side_right")


def assess(inputs: CheckInput) -> Finding:
    settings = inputs.config.hollow_back
    bands = settings.bands
    refusal = view_refusal(inputs, ("side",), "a side view: film the person side-on")
    if refusal:
        return not_assessable(ID, TITLE, "deg", bands.detect, VIEWS, refusal)
    values = inputs.measurements.values
    trunk = values["trunk_inclination_deg"]
    frames = judged_frames(inputs, ("side",)) & np.isfinite(trunk)
    if inputs.activity != "standing":
        finding = not_assessable(
            ID, TITLE, "deg", bands.detect, VIEWS,
            "Judged in quiet standing: the over-erect posture is a standing one. Film the "
            "person standing still side-on for this check.")
        if frames.any():
            lean = float(np.median(trunk[frames]))
            finding.details = {f"trunk_inclination_{inputs.activity}_deg": round(lean, 1)}
            finding.message += f" While {inputs.activity}, the trunk was {_describe(lean)}."
        return finding
    frames &= inputs.still
    if frames.sum() < min_frames(inputs):
        return not_assessable(ID, TITLE, "deg", bands.detect, VIEWS,
                              "Too few frames show shoulders and hips clearly.")
    lean_back_deg = float(np.median(trunk[frames]))
    hip_offset = values["hip_forward_offset_pct"][frames]
    hip_forward_pct = float(np.nanmedian(hip_offset)) if np.isfinite(hip_offset).any() else None
    roll_sd = (inputs.camera.roll_uncertainty_deg if inputs.camera is not None
               else inputs.config.camera.roll_unmeasured_uncertainty_deg)
    error_sd = combined_sd(inputs.config.uncertainty.trunk_sd_deg, roll_sd,
                           off_axis_sd(inputs, frames))
    candidates = int((judged_frames(inputs, ("side",)) & inputs.still).sum())
    status, severity, conf = decide(bands, lean_back_deg, error_sd, int(frames.sum()),
                                    candidates, inputs.config)
    if status != "not_detected" and hip_forward_pct is not None and (
        hip_forward_pct < settings.min_hip_forward_offset_pct
    ):
        # Leaning back with the hips behind the feet is a different pattern (e.g. a
        # backward sway of the whole body), not the over-erect posture.
        status, severity = "not_detected", "none"
        message = (f"The upper body leans back {lean_back_deg:.0f}°, but the hips sit behind "
                   "the feet, which is not the hollow-back pattern.")
    elif status == "detected":
        message = f"The upper body leans back {lean_back_deg:.0f}° from vertical over the hips."
    elif status == "uncertain":
        message = (f"The upper body may lean back slightly ({lean_back_deg:.0f}°), too close "
                   f"to the limit for this camera (error about ±{error_sd:.0f}°) to call.")
    else:
        message = f"The upper body is {_describe(lean_back_deg)}."
    details = {"hip_forward_offset_pct": None if hip_forward_pct is None else round(
        hip_forward_pct, 1), "error_sd_deg": round(error_sd, 1)}
    for side in ("left", "right"):
        hip_ext = values[f"hip_extension_{side}_deg"][frames]
        if np.isfinite(hip_ext).any():
            details[f"hip_extension_{side}_deg"] = round(float(np.nanmedian(hip_ext)), 1)
    return Finding(
        ID, TITLE, status, severity, None, lean_back_deg, "deg", bands.detect, conf,
        evidence_frames(inputs, trunk, frames), VIEWS, message, details,
    )


def _describe(lean_back_deg: float) -> str:
    if lean_back_deg <= -3:
        return f"leaning forward {abs(lean_back_deg):.0f}°"
    return f"close to upright ({lean_back_deg:+.0f}°, backward positive)"
