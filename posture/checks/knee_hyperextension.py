"""Knees pressed back (genu recurvatum): knee flexion below zero in a side view.

Standing: median knee flexion over quiet stance; walking: the straightest the knee gets in
single support (mid to terminal stance) of each stance phase, at least 3 per side
(``knee_values``). Detected from 5 deg of hyperextension ([R21]); bands in
``config.knee_hyperextension``; near the threshold, or with a large error, "uncertain".
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

ID = "knee_hyperextension"
TITLE = "Knees pressed back (hyperextension)"
VIEWS = ("side_left", "side_right")


def assess(inputs: CheckInput) -> Finding:
    bands = inputs.config.knee_hyperextension.bands
    threshold = -bands.detect
    refusal = view_refusal(inputs, ("side",), "a side view: film the person side-on")
    if refusal:
        return not_assessable(ID, TITLE, "deg", threshold, VIEWS, refusal)
    if inputs.activity == "running":
        return not_assessable(ID, TITLE, "deg", threshold, VIEWS,
                              "Judged in standing or walking; this recording shows running.")
    readings = knee_readings(inputs)
    if not readings:
        why = (too_few_stances_message(inputs) if inputs.activity == "walking"
               else "Too few frames show hip, knee and ankle clearly.")
        return not_assessable(ID, TITLE, "deg", threshold, VIEWS, why)
    verdict = knee_verdict(readings, bands, lambda v: -v, inputs.config,
                           walking=inputs.activity == "walking")
    worst = verdict.reading
    where = "in mid to late stance" if inputs.activity == "walking" else "while standing"
    if verdict.status == "detected":
        message = (f"{whose_knees(verdict.affected)} "
                   f"went {abs(worst.value_deg):.0f}° past straight {where}.")
    elif verdict.status == "uncertain":
        message = (f"{whose_knees(verdict.affected)} may go slightly past straight {where} "
                   f"({worst.value_deg:.0f}°), too close to the limit or too uncertain to "
                   "call; worth a look by eye.")
        message += too_few_steps_note(inputs, worst)
    else:
        message = f"Knees did not go past straight {where} (least flexion {worst.value_deg:.0f}°)."
    return Finding(
        ID, TITLE, verdict.status, verdict.severity, side_label(verdict.affected),
        worst.value_deg, "deg", threshold, verdict.confidence, worst.evidence, VIEWS, message,
        {"per_side_deg": {r.side: round(r.value_deg, 2) for r in readings},
         "error_sd_deg": {r.side: round(r.error_sd_deg, 1) for r in readings}},
    )
