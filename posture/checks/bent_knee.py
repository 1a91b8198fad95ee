"""Bent-knee stance or gait: the knees stay flexed where they should be nearly straight.

Standing: median knee flexion over quiet stance; walking: the straightest the knee gets in
single support (mid to terminal stance) of each stance phase, normally 0-5 deg [R19][R20];
a bent-knee gait never comes close to straight there. Detected from 10 deg; bands in
``config.bent_knee``; near the threshold, or with a large error, "uncertain".
"""

from __future__ import annotations

from .base import CheckInput, Finding, not_assessable, side_label, view_refusal
from .knee_values import (
    knee_readings,
    too_few_stances_message,
    too_few_steps_note,
    whose_knees,
)
from .knee_verdict import knee_verdict

ID = "bent_knee"
TITLE = "Bent knees when standing or walking"
VIEWS = ("side_left", "side_right")


def assess(inputs: CheckInput) -> Finding:
    bands = inputs.config.bent_knee.bands
    refusal = view_refusal(inputs, ("side",), "a side view: film the person side-on")
    if refusal:
        return not_assessable(ID, TITLE, "deg", bands.detect, VIEWS, refusal)
    if inputs.activity == "running":
        return not_assessable(ID, TITLE, "deg", bands.detect, VIEWS,
                              "Judged in standing or walking; in running the knee stays bent "
                              "in stance by design.")
    readings = knee_readings(inputs)
    if not readings:
        why = (too_few_stances_message(inputs) if inputs.activity == "walking"
               else "Too few frames show hip, knee and ankle clearly.")
        return not_assessable(ID, TITLE, "deg", bands.detect, VIEWS, why)
    verdict = knee_verdict(readings, bands, lambda v: v, inputs.config,
                           walking=inputs.activity == "walking")
    worst = verdict.reading
    where = ("at the straightest point of mid to late stance"
             if inputs.activity == "walking" else "while standing")
    if verdict.status == "detected":
        message = f"{whose_knees(verdict.affected)} stayed bent by {worst.value_deg:.0f}° {where}."
    elif verdict.status == "uncertain":
        message = (f"{whose_knees(verdict.affected)} may stay slightly bent {where} "
                   f"({worst.value_deg:.0f}°), too close to the limit or too uncertain to "
                   "call; worth a look by eye.")
        message += too_few_steps_note(inputs, worst)
    elif worst.value_deg >= 0:
        message = f"Knees straightened well {where} (most flexion {worst.value_deg:.0f}°)."
    else:
        message = (f"Knees were not bent {where}; they went past straight "
                   f"({worst.value_deg:.0f}°).")
    return Finding(
        ID, TITLE, verdict.status, verdict.severity, side_label(verdict.affected),
        worst.value_deg, "deg", bands.detect, verdict.confidence, worst.evidence, VIEWS,
        message,
        {"per_side_deg": {r.side: round(r.value_deg, 2) for r in readings},
         "error_sd_deg": {r.side: round(r.error_sd_deg, 1) for r in readings}},
    )
