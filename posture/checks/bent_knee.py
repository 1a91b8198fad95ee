"""Bent-knee stance or gait: the knees stay flexed where they should be nearly straight.

Standing: median knee flexion over quiet stance; walking: peak stance extension per stride
(normally 0-5 deg [R19][R20]). Detected from 10 deg; bands in ``config.bent_knee``.
"""

from __future__ import annotations

from .base import CheckInput, Finding, confidence, not_assessable, sees, side_label, verdict
from .knee_values import knee_readings, whose_knees

ID = "bent_knee"
TITLE = "Bent knees when standing or walking"
VIEWS = ("side_left", "side_right")


def assess(inputs: CheckInput) -> Finding:
    bands = inputs.config.bent_knee.bands
    if not sees(inputs, ("side",)):
        return not_assessable(ID, TITLE, "deg", bands.detect, VIEWS,
                              "Needs a side view: film the person side-on.")
    readings = knee_readings(inputs)
    if not readings:
        return not_assessable(ID, TITLE, "deg", bands.detect, VIEWS,
                              "Too few frames show hip, knee and ankle clearly.")
    worst = max(readings, key=lambda r: r.value_deg)
    status, severity = verdict(bands, worst.value_deg)
    affected = [r.side for r in readings if bands.severity(r.value_deg) != "none"]
    where = "at the straightest point of each step" if inputs.activity == "walking" else (
        "while standing")
    if affected:
        message = (f"{whose_knees(affected)} "
                   f"stayed bent by {worst.value_deg:.0f}° {where}.")
    else:
        message = (f"Knees straightened well {where} (most flexion {worst.value_deg:.0f}°)."
                   if worst.value_deg >= 0 else
                   f"Knees were not bent {where}; they went past straight "
                   f"({worst.value_deg:.0f}°).")
    return Finding(
        ID, TITLE, status, severity, side_label(affected), worst.value_deg, "deg", bands.detect,
        confidence(worst.value_deg, bands.detect, worst.n_good, worst.n_total),
        worst.evidence, VIEWS, message,
        {"per_side_deg": {r.side: round(r.value_deg, 2) for r in readings}},
    )
