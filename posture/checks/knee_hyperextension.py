"""Knees pressed back (genu recurvatum): knee flexion below zero in a side view.

Standing: median knee flexion over quiet stance; walking: peak stance extension per stride.
Detected from 5 deg of hyperextension ([R21]); bands in ``config.knee_hyperextension``.
"""

from __future__ import annotations

from .base import CheckInput, Finding, confidence, not_assessable, sees, side_label, verdict
from .knee_values import knee_readings, whose_knees

ID = "knee_hyperextension"
TITLE = "Knees pressed back (hyperextension)"
VIEWS = ("side_left", "side_right")


def assess(inputs: CheckInput) -> Finding:
    bands = inputs.config.knee_hyperextension.bands
    threshold = -bands.detect
    if not sees(inputs, ("side",)):
        return not_assessable(ID, TITLE, "deg", threshold, VIEWS,
                              "Needs a side view: film the person side-on.")
    readings = knee_readings(inputs)
    if not readings:
        return not_assessable(ID, TITLE, "deg", threshold, VIEWS,
                              "Too few frames show hip, knee and ankle clearly.")
    worst = min(readings, key=lambda r: r.value_deg)
    status, severity = verdict(bands, -worst.value_deg)
    affected = [r.side for r in readings if bands.severity(-r.value_deg) != "none"]
    where = "in stance" if inputs.activity == "walking" else "while standing"
    if affected:
        message = (f"{whose_knees(affected)} "
                   f"went {abs(worst.value_deg):.0f}° past straight {where}.")
    else:
        message = f"Knees did not go past straight {where} (least flexion {worst.value_deg:.0f}°)."
    return Finding(
        ID, TITLE, status, severity, side_label(affected), worst.value_deg, "deg", threshold,
        confidence(-worst.value_deg, bands.detect, worst.n_good, worst.n_total),
        worst.evidence, VIEWS, message,
        {"per_side_deg": {r.side: round(r.value_deg, 2) for r in readings}},
    )
