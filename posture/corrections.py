"""Landmarks corrected by the clinician, and the analysis run again on them.

MediaPipe sometimes puts a knee on a trouser outline or swaps the feet. The clinician moves
the landmark to where it belongs; ``reanalyse`` then runs the normal stages 3-9
(``posture.pipeline.analyse_poses``) on the corrected landmarks, so every measurement and
finding that depends on the point is recomputed by the engine, never by the app. The report
gains a ``corrections`` block: the moved landmarks with their originals, and every value that
changed, original beside corrected, "corrected by the clinician".

A moved landmark counts as seen (visibility 1): the clinician placed it. In a video only the
corrected frame is changed; the engine's low-pass filter then spreads the change over a few
neighbouring frames, so the value at that frame moves a little less than in a photo.

>>> c = LandmarkCorrection(0, 25, 400.0, 630.0, 391.5, 628.9)
>>> c.name
'left_knee'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .geometry import angle_at_deg
from .landmarks import LANDMARK_NAMES, MIRROR_INDEX, N_LANDMARKS
from .pose import PoseSequence

if TYPE_CHECKING:
    from .config import Config
    from .explanations import Symptoms
    from .pipeline import Analysis
    from .source import MediaInfo

CORRECTED_LABEL = "corrected by the clinician"


# Finding fields compared before and after a correction.
_FINDING_FIELDS = ("status", "severity", "side", "value")
# Summary statistics of a measurement compared before and after.
_MEASUREMENT_FIELDS = ("median",)


def landmark_index(landmark: int | str) -> int:
    """A landmark's index from its index or its name ("left_knee").

    >>> landmark_index("right_ankle"), landmark_index(25)
    (28, 25)
    """
    if isinstance(landmark, str):
        key = landmark.strip().lower().replace(" ", "_")
        if key.isdigit():
            return landmark_index(int(key))
        if key not in LANDMARK_NAMES:
            raise InputError(f"Unknown landmark {landmark!r}; use a MediaPipe Pose name such "
                             "as 'left_knee'.")
        return LANDMARK_NAMES.index(key)
    if isinstance(landmark, bool) or not isinstance(landmark, (int, np.integer)):
        raise InputError(f"A landmark is given by its index 0-32 or its name, not {landmark!r}.")
    if not 0 <= int(landmark) < N_LANDMARKS:
        raise InputError(f"Landmark index {landmark} is out of range (0-{N_LANDMARKS - 1}).")
    return int(landmark)


@dataclass(frozen=True)
class LandmarkCorrection:
    """One landmark of one analysed frame moved by the clinician.

    ``frame_index`` is the source frame's index (as in the report's evidence and the CSV);
    coordinates are pixels of the upright source frame. ``original_*`` is where the engine
    had the landmark (as drawn), kept so the report shows both.
    """

    frame_index: int
    landmark: int
    x_px: float
    y_px: float
    original_x_px: float | None = None
    original_y_px: float | None = None

    @property
    def name(self) -> str:
        return LANDMARK_NAMES[self.landmark]

    def to_dict(self) -> dict[str, Any]:
        return {
            "frame_index": int(self.frame_index),
            "landmark": int(self.landmark),
            "name": self.name,
            "x_px": round(float(self.x_px), 2),
            "y_px": round(float(self.y_px), 2),
            "original_x_px": _rounded(self.original_x_px),
            "original_y_px": _rounded(self.original_y_px),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LandmarkCorrection:
        """Read back ``to_dict`` (or a component's message); a bad entry -> ``InputError``."""
        if not isinstance(data, dict):
            raise InputError("A landmark correction must be an object with frame_index, "
                             "landmark, x_px and y_px.")
        try:
            index = landmark_index(data.get("landmark", data.get("name")))
            frame = int(data["frame_index"])
            x, y = float(data["x_px"]), float(data["y_px"])
            ox, oy = data.get("original_x_px"), data.get("original_y_px")
            return cls(frame, index, x, y, None if ox is None else float(ox),
                       None if oy is None else float(oy))
        except (KeyError, TypeError, ValueError):
            raise InputError("A landmark correction needs frame_index, landmark, x_px and "
                             "y_px as numbers.") from None


def _rounded(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 2)


def merge_corrections(
    earlier: Iterable[LandmarkCorrection], later: Iterable[LandmarkCorrection]
) -> list[LandmarkCorrection]:
    """``earlier`` with ``later`` added; moving the same landmark of the same frame again
    keeps the first original (what the engine found) and the last position."""
    out: dict[tuple[int, int], LandmarkCorrection] = {}
    for c in [*earlier, *later]:
        key = (c.frame_index, c.landmark)
        first = out.get(key)
        if first is not None:
            c = replace(c, original_x_px=first.original_x_px, original_y_px=first.original_y_px)
        out[key] = c
    return list(out.values())


def apply_corrections(
    pose: PoseSequence, corrections: Sequence[LandmarkCorrection]
) -> PoseSequence:
    """A copy of ``pose`` with the corrected landmarks moved and marked as seen.

    Raises ``InputError`` (one sentence) for a frame that was not analysed, a landmark out of
    range, or a position off the picture. When the engine had swapped the legs of that frame
    (the drawn left knee is MediaPipe's right knee), the original position says which raw
    landmark the clinician saw, and that one is moved.
    """
    xy = pose.xy_px.copy()
    vis = pose.visibility.copy()
    position_of = {int(f): i for i, f in enumerate(pose.frame_index)}
    for c in corrections:
        index = landmark_index(c.landmark)
        position = position_of.get(int(c.frame_index))
        if position is None:
            raise InputError(f"Frame {c.frame_index} was not analysed; corrections apply to "
                             "analysed frames only.")
        if not (math.isfinite(c.x_px) and math.isfinite(c.y_px)
                and 0 <= c.x_px < pose.width_px and 0 <= c.y_px < pose.height_px):
            raise InputError(f"The corrected {LANDMARK_NAMES[index].replace('_', ' ')} "
                             f"({c.x_px:.0f}, {c.y_px:.0f}) is off the picture "
                             f"({pose.width_px} x {pose.height_px} px).")
        index = _raw_index(pose.xy_px[position], index, c)
        xy[position, index] = (c.x_px, c.y_px)
        vis[position, index] = 1.0
    return PoseSequence(pose.frame_index.copy(), pose.t_s.copy(), xy, pose.depth_px.copy(), vis,
                        pose.world_m.copy(), pose.width_px, pose.height_px, pose.kind)


def _raw_index(raw_xy: np.ndarray, index: int, c: LandmarkCorrection) -> int:
    """The raw landmark the clinician moved: ``index``, unless the drawn original sits on
    its mirror (the engine swapped the legs of this frame)."""
    if c.original_x_px is None or c.original_y_px is None:
        return index
    seen = np.array([c.original_x_px, c.original_y_px])
    mirror = MIRROR_INDEX[index]
    own, other = (float(np.hypot(*(raw_xy[i] - seen))) for i in (index, mirror))
    if mirror != index and math.isfinite(other) and (not math.isfinite(own) or other < own):
        return mirror
    return index


def reanalyse(
    pose: PoseSequence,
    info: MediaInfo,
    corrections: Sequence[LandmarkCorrection],
    *,
    config: Config | None = None,
    symptoms: Symptoms | None = None,
    original: dict[str, Any] | None = None,
    original_series: dict[str, Sequence[float]] | None = None,
) -> Analysis:
    """Stages 3-9 again on ``pose`` with ``corrections`` applied.

    ``original`` is the report (dict) of the first analysis: the summary fields that came
    from before the pose stage (how the subject was picked among several people, "only the
    first N s were analysed") are carried over, and with corrections the report's
    ``corrections`` block compares each changed value with it. With no corrections the
    report equals the original. ``original_series`` (per-frame values of the first
    analysis) adds the values that changed at each corrected frame to that block.
    """
    from .pipeline import analyse_poses
    from .subject import SubjectPlan

    corrections = list(corrections)
    corrected = apply_corrections(pose, corrections) if corrections else pose
    plan = None
    summary = (original or {}).get("summary") or {}
    if summary.get("people_seen"):
        # The subject was picked by a plan before the pose stage; its method is the start
        # of the summary's description (the rest is re-derived from the landmarks).
        plan = SubjectPlan(None, int(summary["people_seen"]),
                           _plan_method(pose, summary.get("subject_selection") or "", config))
    analysis = analyse_poses(corrected, info, config=config, symptoms=symptoms, plan=plan)
    messages = list(summary.get("messages") or [])
    if messages and corrections:
        # Keep the messages added outside these stages ("only the first N s were
        # analysed"), not the ones they made from the uncorrected landmarks (a foot that
        # was "out of frame" may be in the picture once the clinician put it there).
        before = analyse_poses(pose, info, config=config, symptoms=symptoms, plan=plan)
        messages = [m for m in messages if m not in before.report.summary["messages"]]
    for message in messages:
        if message not in analysis.report.summary["messages"]:
            analysis.report.summary["messages"].append(message)
    if corrections and original is not None:
        frame_values = (_frame_values(corrections, analysis, original_series)
                        if original_series is not None else [])
        analysis.report.corrections = corrections_block(
            corrections, original, analysis.report.to_dict(), frame_values)
    return analysis


def _plan_method(pose: PoseSequence, selection: str, config: Config | None) -> str:
    from .config import Config
    from .subject import select_subject

    config = config or Config()
    own = select_subject(pose.xy_px, config.quality, pose.t_s).method
    return selection.removesuffix(own).strip() if own else selection.strip()


def _changed(before: Any, after: Any) -> bool:
    if isinstance(before, (int, float)) and isinstance(after, (int, float)):
        return abs(float(before) - float(after)) > 1e-6
    return before != after


def corrections_block(
    corrections: Sequence[LandmarkCorrection],
    original: dict[str, Any],
    corrected: dict[str, Any],
    frame_values: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report's ``corrections`` object: the moved landmarks (with originals), and each
    measurement summary and finding field whose value changed, original beside corrected;
    ``frame_values``: the per-frame values that changed at the corrected frames."""
    measurements = []
    before_m = original.get("measurements") or {}
    after_m = corrected.get("measurements") or {}
    for name in sorted(set(before_m) | set(after_m)):
        for fld in _MEASUREMENT_FIELDS:
            b = (before_m.get(name) or {}).get(fld)
            a = (after_m.get(name) or {}).get(fld)
            if _changed(b, a):
                measurements.append({"name": name, "field": fld, "original": b,
                                     "corrected": a,
                                     "unit": (after_m.get(name) or before_m.get(name))["unit"]})
    findings = []
    before_f = {f["id"]: f for f in original.get("findings") or []}
    for f in corrected.get("findings") or []:
        b = before_f.get(f["id"]) or {}
        for fld in _FINDING_FIELDS:
            if _changed(b.get(fld), f.get(fld)):
                findings.append({"id": f["id"], "field": fld, "original": b.get(fld),
                                 "corrected": f.get(fld)})
    return {
        "label": CORRECTED_LABEL,
        "landmarks": [c.to_dict() for c in corrections],
        "measurements": measurements,
        "findings": findings,
        "frame_values": list(frame_values or []),
    }


def _frame_values(corrections: Sequence[LandmarkCorrection], analysis: Analysis,
                  series: dict[str, Sequence[float]]) -> list[dict[str, Any]]:
    """Per corrected frame, the measurements whose value there changed, original beside
    corrected (``series``: the first analysis's per-frame values, same frames)."""
    position_of = {int(f): i for i, f in enumerate(analysis.measurements.frame_index)}
    out = []
    for frame in sorted({c.frame_index for c in corrections}):
        position = position_of.get(int(frame))
        if position is None:
            continue
        for name, values in analysis.measurements.values.items():
            after = float(values[position])
            before_list = series.get(name)
            before = float(before_list[position]) if before_list is not None else math.nan
            if not math.isfinite(after) and not math.isfinite(before):
                continue
            if math.isfinite(after) and math.isfinite(before) and abs(after - before) < 0.005:
                continue
            out.append({"frame_index": int(frame), "name": name,
                        "original": _rounded(before), "corrected": _rounded(after)})
    return out


def three_point_angle_deg(a: Sequence[float], vertex: Sequence[float],
                          b: Sequence[float]) -> float:
    """The goniometer: the angle at ``vertex`` between the rays to ``a`` and ``b``, degrees
    (0-180), of three points the clinician placed; NaN when a ray has no length.

    >>> round(three_point_angle_deg((0, 0), (0, 10), (10, 10)), 1)
    90.0
    """
    pts = [np.asarray(p, dtype=float) for p in (a, vertex, b)]
    if any(p.shape != (2,) or not np.isfinite(p).all() for p in pts):
        raise InputError("The goniometer needs three points, each as (x, y) numbers.")
    if min(np.hypot(*(pts[0] - pts[1])), np.hypot(*(pts[2] - pts[1]))) < 1e-9:
        return math.nan
    return float(angle_at_deg(pts[0], pts[1], pts[2]))


def plumb_line_x_px(xy_px: np.ndarray, view: str) -> float | None:
    """Where the plumb line stands, in pixels across the picture: through the near ankle in
    a side view (the ankle nearer the camera: the left one in ``side_left``), midway between
    the ankles in a front or back view; None when those landmarks are missing.

    >>> xy = np.full((33, 2), np.nan); xy[27] = (100, 500); xy[28] = (140, 505)
    >>> plumb_line_x_px(xy, "front"), plumb_line_x_px(xy, "side_right")
    (120.0, 140.0)
    """
    xy = np.asarray(xy_px, dtype=float)
    left, right = xy[27], xy[28]
    if view.startswith("side"):
        near, far = (left, right) if view == "side_left" else (right, left)
        for ankle in (near, far):
            if np.isfinite(ankle).all():
                return float(ankle[0])
        return None
    if np.isfinite(left).all() and np.isfinite(right).all():
        return float((left[0] + right[0]) / 2)
    return None
