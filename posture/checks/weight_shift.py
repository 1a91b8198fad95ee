"""One-sided weight shifting in standing, seen from the front or the back.

Load-share proxy: where the hip centre sits between the ankles (0 % over the left ankle,
100 % over the right), which works about as well as a whole-body centre of mass in static
tasks [R32]; a frame with one foot lifted puts all the weight on the other leg.
Healthy people sway from leg to leg, so the check reports the median share and
the share of time spent past the cut-off [R31]. Detected from 59 % on one leg [R34]; a
pelvis dropping on the free side is supporting evidence. Bands in ``config.weight_shift``.

Walking side-on (a reliable gait, ``_assess_walking``), one-sided loading shows as a limp:
the painful leg's stance is shorter, the sound leg carries the body longer. The value is
the size of Robinson's symmetry index of the stance share (``posture.gait_cycle``),
detected from 10 % (``walking_bands``, with its source); ``side`` is the leg with the
longer stance, ``details.limp_side`` the other. The step-time index past its cut-off,
in the same direction (the loaded leg's step, the painful heel's strike to its own, is the
quicker one), supports it; alone it makes the verdict uncertain at most. Fewer than
``walking_min_strides`` strides a side: not assessable.
"""

from __future__ import annotations

import numpy as np

from ..gait_cycle import robinson_si, stride_rows
from ..landmarks import LEFT_ANKLE, RIGHT_ANKLE
from .base import (
    UNCERTAIN,
    CheckInput,
    Evidence,
    Finding,
    combined_sd,
    decide,
    evidence_frames,
    gait_refusal,
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


def _walks_side_on(inputs: CheckInput) -> bool:
    """A walk seen from the side with gait events: judged from its stance phases."""
    return (inputs.activity == "walking" and inputs.gait is not None
            and inputs.gait.kind == "walking")


def _median_sd(values: list[float], floor: float) -> float:
    """Error of a median of ``values``: their spread (at least ``floor`` each), times
    1.25 / sqrt(n) (the median's efficiency against the mean)."""
    spread = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return 1.25 * max(spread, floor) / np.sqrt(len(values))


def _assess_walking(inputs: CheckInput) -> Finding:
    """A limp: the stance share and step time of the two legs compared (module docstring)."""
    settings = inputs.config.weight_shift
    bands = settings.walking_bands
    views = ("side_left", "side_right")
    refusal = gait_refusal(inputs)
    if refusal:
        return not_assessable(ID, TITLE, "%", bands.detect, views, refusal)
    m = inputs.measurements
    rows = stride_rows(inputs.gait, m.t_s, m.frame_index)
    stance = {s: [r.stance_pct for r in rows[s] if r.stance_pct is not None] for s in rows}
    steps = {s: [r.step_time_s for r in rows[s] if r.step_time_s is not None] for s in rows}
    need = settings.walking_min_strides
    if min(len(v) for v in stance.values()) < need:
        seen = ", ".join(f"{len(stance[s])} {s}" for s in ("left", "right"))
        return not_assessable(
            ID, TITLE, "%", bands.detect, views,
            f"Not assessable, because too few strides were seen ({seen}; needs {need} a "
            "side, heel strike to the same heel's next strike, with the toe-off between). "
            "Film a longer walk side-on.")
    left, right = (float(np.median(stance[s])) for s in ("left", "right"))
    si = robinson_si(left, right) or 0.0
    step_si = robinson_si(*(float(np.median(steps[s])) if steps[s] else None
                            for s in ("left", "right")))
    loaded = "left" if si > 0 else "right"
    painful = "right" if loaded == "left" else "left"
    # Error of each median stance share: the strides' spread, at least the events' timing
    # error (two events a stance phase, at least half a frame each).
    dt = float(np.median(np.diff(m.t_s))) if len(m.t_s) > 1 else 0.0
    event_sd = max(settings.event_sd_s, dt / 2)
    stride_s = float(np.median([r.stride_time_s for s in rows for r in rows[s]]))
    floor_pct = 100.0 * np.sqrt(2.0) * event_sd / stride_s
    sd_pct = combined_sd(*(_median_sd(stance[s], floor_pct) for s in ("left", "right")))
    error_sd = 100.0 * sd_pct / (0.5 * (left + right))
    magnitude = abs(si)
    n = sum(len(v) for v in stance.values())
    total = sum(len(v) for v in rows.values())
    status, severity, conf = decide(bands, magnitude, error_sd, n, total, inputs.config)
    # The loaded leg's own step (the painful heel's strike to its own) is the quicker one.
    step_agrees = step_si is not None and abs(step_si) >= settings.walking_step_time_si_pct \
        and (step_si < 0) == (loaded == "left")
    step_alone = step_si is not None and abs(step_si) >= settings.walking_step_time_si_pct \
        and status == "not_detected"
    shares = f"stance {left:.0f}% of the stride on the left, {right:.0f}% on the right"
    if status == "detected":
        message = (f"Limping: the {loaded} leg carries the body longer than the {painful} "
                   f"one ({shares}; symmetry index {magnitude:.0f}%, cut-off "
                   f"{bands.detect:.0f}%).")
        if step_agrees:
            message += f" The steps are uneven too (step-time index {abs(step_si):.0f}%)."
    elif status == UNCERTAIN:
        message = (f"Perhaps a limp, the {loaded} leg carrying the body longer ({shares}), "
                   f"but within this recording's error (about ±{error_sd:.0f} points of "
                   "the index); worth a look by eye.")
    elif step_alone:
        status, severity, conf = UNCERTAIN, bands.severity(bands.detect), 0.5
        loaded = "left" if step_si < 0 else "right"
        painful = "right" if loaded == "left" else "left"
        message = (f"Perhaps a limp: the steps are uneven (step-time symmetry index "
                   f"{abs(step_si):.0f}%, the step onto the {loaded} leg quicker) though the "
                   f"stance phases are even ({shares}); worth a look by eye.")
    else:
        message = f"Walking loads both legs evenly ({shares})."
    flagged = status != "not_detected"
    heavy = rows[loaded]
    evidence = [Evidence(r.start_frame, r.start_t_s, float(r.stance_pct))
                for r in heavy if r.stance_pct is not None]
    if len(evidence) > 5:
        evidence = [evidence[i] for i in np.linspace(0, len(evidence) - 1, 5).round().astype(int)]
    return Finding(
        ID, TITLE, status, severity, loaded if flagged else None, magnitude, "%",
        bands.detect, conf, evidence, views, message,
        {"judged_from": "walking", "stance_pct": {"left": round(left, 1),
                                                  "right": round(right, 1)},
         "stance_symmetry_index_pct": si, "step_time_symmetry_index_pct": step_si,
         "limp_side": painful if flagged else None,
         "strides_per_side": {s: len(stance[s]) for s in ("left", "right")},
         "symmetry_formula": "Robinson: 100 * (left - right) / (0.5 * (left + right))",
         "error_sd_pct": round(error_sd, 1)},
    )


def assess(inputs: CheckInput) -> Finding:
    if _walks_side_on(inputs):
        return _assess_walking(inputs)
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
