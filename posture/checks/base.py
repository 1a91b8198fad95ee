"""What every check takes (``CheckInput``) and gives (``Finding``), and shared helpers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from ..config import Bands, Config
from ..gait import GaitAnalysis
from ..measurements import Measurements

DETECTED, NOT_DETECTED, NOT_ASSESSABLE = "detected", "not_detected", "not_assessable"

# Typical disagreement of 2D MediaPipe angles with marker systems (clinical.md §6: 5-7 deg).
# A value this far past its threshold earns full confidence in the margin term.
ANGLE_ERROR_DEG = 6.0


@dataclass(frozen=True)
class Evidence:
    frame_index: int
    t_s: float
    value: float


@dataclass
class Finding:
    id: str
    title: str
    status: str  # detected | not_detected | not_assessable
    severity: str  # none | mild | moderate | marked
    side: str | None  # left | right | both | None; weight_shift: the leg carrying the weight
    value: float | None
    unit: str
    threshold: float
    confidence: float
    evidence: list[Evidence]
    view_required: tuple[str, ...]
    message: str
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["view_required"] = list(self.view_required)
        out["value"] = None if self.value is None else round(float(self.value), 2)
        out["confidence"] = round(float(self.confidence), 2)
        out["evidence"] = [
            {"frame_index": e.frame_index, "t_s": round(e.t_s, 3), "value": round(e.value, 2)}
            for e in self.evidence
        ]
        return out


@dataclass
class CheckInput:
    """Everything a check may read. Series are aligned with ``measurements.t_s``."""

    measurements: Measurements
    view: str  # main view of the recording
    per_frame_view: np.ndarray
    activity: str  # standing | walking
    still: np.ndarray  # (N,) bool, quiet-standing frames
    gait: GaitAnalysis | None
    kind: str  # image | video | live
    config: Config


def not_assessable(
    check_id: str, title: str, unit: str, threshold: float, views: tuple[str, ...], why: str
) -> Finding:
    return Finding(
        check_id, title, NOT_ASSESSABLE, "none", None, None, unit, threshold, 0.0, [], views, why
    )


def min_frames(inputs: CheckInput) -> int:
    """Good frames a verdict needs: one for a photo, ``min_good_frames`` for a video."""
    return 1 if inputs.kind == "image" else inputs.config.quality.min_good_frames


def view_matches(inputs: CheckInput, views: tuple[str, ...]) -> np.ndarray:
    """(N,) frames whose view is one of ``views`` (``side`` matches either side)."""
    labels = inputs.per_frame_view
    ok = np.zeros(len(labels), dtype=bool)
    for view in views:
        ok |= np.array([str(v).startswith(view) for v in labels], dtype=bool)
    return ok


def sees(inputs: CheckInput, views: tuple[str, ...]) -> bool:
    """Whether enough frames show one of ``views``: a recording may change view, so a
    check looks for its own view's frames rather than the main view."""
    return int(view_matches(inputs, views).sum()) >= min_frames(inputs)


def evidence_frames(inputs: CheckInput, values: np.ndarray, mask: np.ndarray,
                    most: int = 5) -> list[Evidence]:
    """Up to ``most`` frames behind a value, spread over the recording."""
    positions = np.flatnonzero(mask & np.isfinite(values))
    if positions.size > most:
        positions = positions[np.linspace(0, positions.size - 1, most).round().astype(int)]
    m = inputs.measurements
    return [Evidence(int(m.frame_index[i]), float(m.t_s[i]), float(values[i])) for i in positions]


def confidence(
    magnitude: float, threshold: float, n_good: int, n_total: int, scale: float = ANGLE_ERROR_DEG
) -> float:
    """0..1: how far the value is from the threshold against the measurement error, times
    the share of usable frames. Near the threshold a verdict is a coin toss (0.5).

    >>> confidence(20.0, 10.0, 50, 50)
    1.0
    >>> confidence(10.0, 10.0, 50, 50)
    0.5
    """
    margin = min(1.0, 0.5 + abs(magnitude - threshold) / (2 * scale))
    coverage = min(1.0, 0.5 + 0.5 * n_good / max(n_total, 1))
    return round(margin * coverage, 2)


def verdict(bands: Bands, magnitude: float) -> tuple[str, str]:
    """(status, severity) for a magnitude measured on the bands' scale."""
    severity = bands.severity(magnitude)
    return (DETECTED if severity != "none" else NOT_DETECTED), severity


def side_label(sides: list[str]) -> str | None:
    if not sides:
        return None
    return "both" if len(sides) == 2 else sides[0]
