"""Too little pelvis and trunk movement when walking (a stiff, "blocked" gait).

Seen from the side, one camera barely sees the pelvis and thorax turn, and MediaPipe's depth
is not trusted for it [R2][R3]. What it sees well is arm swing, the counter-movement that
trunk rotation drives: per stride (heel strike to heel strike) the range of the near wrist
ahead of / behind the shoulder. Reduced when that range is small. The front-back spread of
hips and shoulders (which changes as they turn) is reported beside it. Arms held still on
purpose (a bag, hands in pockets) look the same, which the message says. Thresholds in
``config.reduced_trunk_pelvis_motion``; measured on renders: normal gait ~45 %, a stiff gait
with no arm swing ~4 % of leg length.
"""

from __future__ import annotations

import numpy as np

from .base import (
    UNCERTAIN,
    CheckInput,
    Evidence,
    Finding,
    confidence,
    gait_refusal,
    not_assessable,
    view_refusal,
)

ID = "reduced_trunk_pelvis_motion"
TITLE = "Little pelvis and trunk movement when walking"
VIEWS = ("side_left", "side_right")


def _near_arm_swing_pct(inputs: CheckInput) -> np.ndarray:
    """Arm swing of the arm nearer the camera in each frame (the far one hides behind the
    body), so that a walk there and back is judged on the arm seen both ways."""
    values = inputs.measurements.values
    labels = inputs.per_frame_view
    return np.where(labels == "side_left", values["arm_swing_left_pct"],
                    np.where(labels == "side_right", values["arm_swing_right_pct"], np.nan))


def _stride_ranges(inputs: CheckInput, series: np.ndarray) -> list[float]:
    ranges = []
    for side in ("left", "right"):
        for start, stop in inputs.gait.stride_windows(side):
            window = series[start : stop + 1]
            if np.isfinite(window).sum() >= 0.6 * len(window):
                ranges.append(float(np.nanmax(window) - np.nanmin(window)))
    return ranges


def assess(inputs: CheckInput) -> Finding:
    limits = inputs.config.reduced_trunk_pelvis_motion
    threshold = limits.min_arm_swing_pct
    if inputs.activity != "walking":
        why = ("Judged in walking; this recording shows running." if inputs.activity == "running"
               else "Only judged when the person walks.")
        return not_assessable(ID, TITLE, "%", threshold, VIEWS, why)
    refusal = (view_refusal(inputs, ("side",), "walking filmed side-on")
               or gait_refusal(inputs))
    if refusal:
        return not_assessable(ID, TITLE, "%", threshold, VIEWS, refusal)
    assert inputs.gait is not None
    values = inputs.measurements.values
    arm = _stride_ranges(inputs, _near_arm_swing_pct(inputs))
    pelvis = _stride_ranges(inputs, values["pelvis_rotation_proxy_pct"])
    shoulders = _stride_ranges(inputs, values["shoulder_rotation_proxy_pct"])
    if min(len(arm), len(pelvis), len(shoulders)) < inputs.config.gait.min_strides:
        return not_assessable(ID, TITLE, "%", threshold, VIEWS,
                              "Needs at least two full strides with arms, hips and shoulders "
                              "in view.")
    arm_pct = float(np.median(arm))
    pelvis_pct = float(np.median(pelvis))
    shoulder_pct = float(np.median(shoulders))
    detected = arm_pct < limits.min_arm_swing_pct
    # Severity: how far arm swing falls short of its threshold.
    shortfall = 1 - arm_pct / threshold if threshold > 0 else 0.0
    severity = "none" if not detected else (
        "marked" if shortfall > 0.6 else "moderate" if shortfall > 0.3 else "mild")
    if detected:
        message = ("Arms barely swing with the steps, a sign that the trunk and pelvis hardly "
                   f"turn (arm swing {arm_pct:.0f}% of leg length per stride; arms held still "
                   "on purpose, e.g. carrying a bag, look the same).")
    else:
        message = (f"Pelvis and trunk move with the steps (arm swing {arm_pct:.0f}% of leg "
                   "length per stride).")
    strikes = [e for e in inputs.gait.events if e.kind == "heel_strike"]
    evidence = [Evidence(e.frame_index, e.t_s, arm_pct) for e in strikes[:5]]
    n_strides = len(arm)
    conf = confidence(arm_pct, threshold, n_strides, n_strides + 1,
                      scale=inputs.config.uncertainty.arm_swing_sd_pct)
    status = "detected" if detected else "not_detected"
    if detected and conf < inputs.config.uncertainty.min_confidence_detected:
        status = UNCERTAIN
        message = ("Arm swing looks small but close to the limit "
                   f"({arm_pct:.0f}% of leg length per stride); worth a look by eye.")
    return Finding(
        ID, TITLE, status, severity, None, arm_pct, "%", threshold, conf,
        evidence, VIEWS, message,
        {"arm_swing_range_pct": round(arm_pct, 1), "pelvis_rotation_range_pct": round(
            pelvis_pct, 1), "shoulder_rotation_range_pct": round(shoulder_pct, 1),
         "strides": n_strides},
    )
