"""Stage 6: the checks, one small module each, run in this order.

Each module has ``ID``, ``TITLE``, ``VIEWS`` (the camera views it needs) and
``assess(inputs: CheckInput) -> Finding``; it answers ``not_assessable`` rather than guess.
"""

import numpy as np

from . import (
    bent_knee,
    hollow_back,
    knee_hyperextension,
    reduced_trunk_pelvis_motion,
    weight_shift,
)
from .base import CheckInput, Evidence, Finding

CHECKS = (hollow_back, knee_hyperextension, bent_knee, weight_shift, reduced_trunk_pelvis_motion)


def run_checks(inputs: CheckInput) -> list[Finding]:
    """Every check's finding, in the order of ``CHECKS``."""
    findings = [check.assess(inputs) for check in CHECKS]
    if not np.isfinite(inputs.measurements.xy_px).any():
        # Nobody in view: say so, rather than asking for another camera view.
        for finding in findings:
            finding.message = "No person was found, so this could not be judged."
    return findings


__all__ = ["CHECKS", "CheckInput", "Evidence", "Finding", "run_checks"]
