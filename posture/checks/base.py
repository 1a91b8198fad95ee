"""What every check takes (``CheckInput``) and gives (``Finding``), and shared helpers."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from ..camera import CameraGeometry
from ..config import Bands, Config
from ..gait import GaitAnalysis
from ..measurements import Measurements

DETECTED, NOT_DETECTED, NOT_ASSESSABLE = "detected", "not_detected", "not_assessable"
# Past the threshold but close to it, or measured with low confidence: never shown as detected.
UNCERTAIN = "uncertain"

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
    camera: CameraGeometry | None = None  # roll and off-axis angle (posture.camera)


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


def off_axis_limit_deg(inputs: CheckInput, family: str) -> float:
    camera = inputs.config.camera
    return camera.side_max_off_axis_deg if family == "side" else camera.front_max_off_axis_deg


def judged_frames(inputs: CheckInput, views: tuple[str, ...]) -> np.ndarray:
    """(N,) frames of one of ``views`` whose camera is no further off axis than the limit
    for that view (``config.camera``); frames whose off-axis angle is unknown count."""
    ok = view_matches(inputs, views)
    if inputs.camera is None:
        return ok
    off = inputs.camera.per_frame_off_axis_deg
    limit = off_axis_limit_deg(inputs, "side" if views[0].startswith("side") else "front")
    with np.errstate(invalid="ignore"):
        return ok & ~(off > limit)


def view_refusal(inputs: CheckInput, views: tuple[str, ...], needs: str) -> str | None:
    """Why a check cannot judge this recording's view, or None when it can. ``needs`` says
    what to do instead, e.g. "film the person side-on"."""
    if not sees(inputs, views):
        oblique = inputs.camera.oblique_off_side_deg if inputs.camera is not None else None
        if inputs.view == "unknown" and oblique is not None:
            return (f"Not assessable, because the camera sees the person obliquely (about "
                    f"{oblique:.0f}° off the side axis, {90 - oblique:.0f}° off the front "
                    f"axis). Needs {needs}, square to the camera.")
        return f"Needs {needs}."
    if int(judged_frames(inputs, views).sum()) >= min_frames(inputs):
        return None
    family = "side" if views[0].startswith("side") else "front"
    if not any(str(inputs.view).startswith(v) for v in views):
        # A few frames of this view in a recording mostly seen another way.
        return f"Needs {needs}."
    limit = off_axis_limit_deg(inputs, family)
    off = median_off_axis_deg(inputs, view_matches(inputs, views))
    if off <= limit:
        # Enough frames of this view, but too few of them square enough to judge.
        return f"Needs {needs}: too few frames show it."
    axis = "the side" if family == "side" else "the front"
    return (f"Not assessable, because the camera is about {off:.0f}° off {axis} axis "
            f"(limit {limit:.0f}°). Needs {needs}, square to the camera.")


def gait_refusal(inputs: CheckInput) -> str | None:
    """Why a gait-based verdict cannot be given, or None: no gait found, or gait events that
    break the body's timing (``GaitAnalysis.reliable``) are never judged from."""
    gait = inputs.gait
    if gait is None:
        return "Needs walking filmed side-on."
    if not gait.reliable:
        reason = gait.unreliable_reason or "the steps could not be timed"
        return f"Not assessable, because the gait could not be timed reliably: {reason}."
    return None


def median_off_axis_deg(inputs: CheckInput, frames: np.ndarray) -> float:
    """The camera's off-axis angle over ``frames`` (0 where it was not measured)."""
    if inputs.camera is None:
        return 0.0
    off = inputs.camera.per_frame_off_axis_deg[frames]
    off = off[np.isfinite(off)]
    return float(np.median(off)) if off.size else 0.0


def off_axis_sd(inputs: CheckInput, frames: np.ndarray) -> float:
    """Systematic error (in degrees) an oblique camera adds to angles over ``frames``. The
    off-axis angle is itself an estimate (``CameraGeometry.off_axis_error_deg``): the true
    angle may lie that far either side, so the two are added like independent errors."""
    error = inputs.camera.off_axis_error_deg if inputs.camera is not None else 0.0
    return inputs.config.uncertainty.off_axis_sd_per_deg * math.hypot(
        median_off_axis_deg(inputs, frames), error)


def combined_sd(*parts: float) -> float:
    """Independent errors added: the root of the sum of squares.

    >>> combined_sd(3.0, 4.0)
    5.0
    """
    return float(math.sqrt(sum(p * p for p in parts)))


def decide(bands: Bands, magnitude: float, error_sd: float, n_good: int, n_total: int,
           config: Config) -> tuple[str, str, float]:
    """(status, severity, confidence) of a magnitude on the bands' scale measured with
    ``error_sd`` (same unit). Confidence: the chance the true value is on the reported
    side of the threshold, times the share of usable frames. Past the threshold with too
    little confidence: ``uncertain``.

    >>> from posture.config import Config
    >>> decide(Bands(5, 10, 15), 12.0, 2.0, 10, 10, Config())
    ('detected', 'moderate', 1.0)
    >>> decide(Bands(5, 10, 15), 5.5, 2.0, 10, 10, Config())
    ('uncertain', 'mild', 0.6)
    >>> decide(Bands(5, 10, 15), 1.0, 2.0, 10, 10, Config())
    ('not_detected', 'none', 0.98)
    """
    margin = magnitude - bands.detect
    chance = 0.5 * (1.0 + math.erf(abs(margin) / (max(error_sd, 1e-6) * math.sqrt(2.0))))
    coverage = min(1.0, 0.5 + 0.5 * n_good / max(n_total, 1))
    conf = round(chance * coverage, 2)
    severity = bands.severity(magnitude)
    if severity == "none":
        return NOT_DETECTED, "none", conf
    if conf < config.uncertainty.min_confidence_detected:
        return UNCERTAIN, severity, conf
    return DETECTED, severity, conf


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
