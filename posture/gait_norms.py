"""A normal band for the gait-cycle plots: sagittal knee flexion of healthy adults walking
at their natural (comfortable) cadence, mean and one standard deviation across subjects,
over the gait cycle (0 % = heel strike, 100 % = the same heel's next strike).

Source and caveats: ``docs/gait_norms.md``. The numbers follow Winter's ensemble average
of healthy adults at natural cadence (Winter DA, *Biomechanics and Motor Control of Human
Movement*, 4th ed., Wiley 2009, sagittal knee angle, n = 19; the same data as his 1991
*The Biomechanics and Motor Control of Human Gait*), read off at 5 % steps and rounded to
the degree; the between-subject SD is Winter's, rounded. They were transcribed from the
widely reproduced curve, not from the book's digits, and are a band to read a plot
against, not a cut-off: no finding uses them.

Sign: knee flexion positive, as everywhere in the project (``posture.config``).

>>> band = knee_flexion_band()
>>> len(band.mean), band.mean[0], band.pct[-1]
(101, 5.0, 100.0)
>>> round(float(band.mean[72]), 1) > 60
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SOURCE = ("Winter DA. Biomechanics and Motor Control of Human Movement, 4th ed. Wiley, 2009: "
          "sagittal knee angle of healthy adults at natural cadence (n = 19), mean +- 1 SD; "
          "read at 5 % steps (docs/gait_norms.md)")

# (% of the gait cycle, mean knee flexion deg, between-subject SD deg).
KNEE_FLEXION_TABLE: tuple[tuple[float, float, float], ...] = (
    (0, 5, 5), (5, 12, 5), (10, 18, 5), (15, 20, 5), (20, 18, 6), (25, 14, 6),
    (30, 10, 6), (35, 7, 5), (40, 6, 5), (45, 7, 5), (50, 11, 5), (55, 20, 5),
    (60, 34, 6), (65, 50, 6), (70, 61, 5), (75, 63, 5), (80, 56, 6), (85, 42, 6),
    (90, 24, 7), (95, 9, 6), (100, 5, 5),
)
# Toe-off in the same data: about 60 % of the cycle.
TOE_OFF_PCT = 60.0


@dataclass(frozen=True)
class NormalBand:
    """A normal band on 101 points of the gait cycle (0, 1, ..., 100 %)."""

    name: str
    pct: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    source: str

    @property
    def lower(self) -> np.ndarray:
        return self.mean - self.sd

    @property
    def upper(self) -> np.ndarray:
        return self.mean + self.sd


def _band(name: str, table: tuple[tuple[float, float, float], ...]) -> NormalBand:
    pct = np.linspace(0.0, 100.0, 101)
    x = np.array([row[0] for row in table], float)
    mean = np.interp(pct, x, [row[1] for row in table])
    sd = np.interp(pct, x, [row[2] for row in table])
    return NormalBand(name, pct, mean, sd, SOURCE)


def knee_flexion_band() -> NormalBand:
    """Winter's knee flexion mean +- 1 SD, linearly interpolated to 0-100 %."""
    return _band("knee_flexion_deg", KNEE_FLEXION_TABLE)


def band_for(curve: str) -> NormalBand | None:
    """The normal band of a gait-cycle curve name (``posture.gait_cycle.CURVES``), or None
    where the project has no cited one (hip, trunk and ankle are drawn without a band)."""
    return knee_flexion_band() if curve == "knee_flexion_deg" else None
