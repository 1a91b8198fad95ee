"""One verdict from the two knees' readings: each side is decided with its own error (the
far leg's is larger), then the clearest side speaks for the finding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import Bands, Config
from .base import DETECTED, NOT_DETECTED, UNCERTAIN, decide
from .knee_values import KneeReading

_RANK = {DETECTED: 2, UNCERTAIN: 1, NOT_DETECTED: 0}


@dataclass(frozen=True)
class KneeVerdict:
    status: str
    severity: str
    confidence: float
    reading: KneeReading  # the side the verdict rests on
    affected: list[str]  # sides with the verdict's status (detected or uncertain)


def _capped(verdict: tuple[str, str, float], reading: KneeReading, walking: bool,
            config: Config) -> tuple[str, str, float]:
    """A walking reading from fewer stance phases than a finding needs is at most
    uncertain (it may still clear the knee)."""
    status, severity, conf = verdict
    if walking and status == DETECTED and (
            reading.n_good < config.knee_in_gait.min_stances_per_side):
        return UNCERTAIN, severity, min(conf, config.uncertainty.min_confidence_detected - 0.01)
    return status, severity, conf


def knee_verdict(readings: list[KneeReading], bands: Bands,
                 magnitude: Callable[[float], float], config: Config,
                 walking: bool = False) -> KneeVerdict:
    """``magnitude`` turns a knee flexion into the bands' scale (hyperextension: -flexion);
    ``walking``: readings are per stance phase."""
    decided = [(r, *_capped(decide(bands, magnitude(r.value_deg), r.error_sd_deg, r.n_good,
                                   r.n_total, config), r, walking, config))
               for r in readings]
    # Most serious status first, then the larger magnitude.
    decided.sort(key=lambda d: (_RANK[d[1]], magnitude(d[0].value_deg)), reverse=True)
    reading, status, severity, conf = decided[0]
    affected = [d[0].side for d in decided if d[1] == status and status != NOT_DETECTED]
    return KneeVerdict(status, severity, conf, reading, affected)
