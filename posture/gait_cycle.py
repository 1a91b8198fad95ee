"""Gait as a clinician reads it: each side's strides on a normalised gait cycle and the
spatiotemporal table per side, with symmetry indices.

Pure functions on what stages 5 and 6 produced (``Measurements`` and a reliable
``GaitAnalysis``); the pipeline calls ``analyse_gait_cycle`` after ``detect_gait``.

- **Strides.** A side's stride runs from its heel strike to the same heel's next strike
  (``GaitAnalysis.stride_windows``), never across a turn or a gap.
- **Curves.** Knee flexion, hip extension (thigh behind the trunk line positive), trunk
  inclination (backward positive) and, where the foot is seen, ankle dorsiflexion (the
  angle between shank and heel-to-toe line less 90 deg, dorsiflexion positive) are
  resampled over each stride to 101 points, 0-100 % (linear in time). A stride whose
  values are missing for more than ``MAX_MISSING_SHARE`` of its frames, or at either end,
  is left out of that curve. The side's mean curve is the point-wise mean of its strides.
- **Table, per side** (median over the side's strides unless said otherwise): strides,
  cadence (120 / stride time, steps/min), stride time, step time (the other heel's strike
  to this heel's strike: the step this foot takes), stance and swing share of the stride,
  double support (both periods of the stride together), step length at this heel's strike
  (heel to heel along the image, in leg lengths; in metres when the person's height is
  known: leg = 0.491 x height, Winter's thigh + shank proportions), and toe-off (mean, %
  of the stride).
- **Symmetry.** Robinson's symmetry index for each table value:
  SI = 100 * (L - R) / (0.5 * (L + R)); 0 is symmetric, positive means left larger.

>>> robinson_si(0.56, 0.64)
-13.33
>>> robinson_si(0.0, 0.0) is None
True
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np

from .gait import OTHER, SIDES, GaitAnalysis
from .landmarks import SIDE_POINTS
from .measurements import Measurements

N_POINTS = 101
PCT = np.linspace(0.0, 100.0, N_POINTS)
# Curve name -> per-side measurement name ("{side}" filled in), or None: computed here.
CURVES: dict[str, str | None] = {
    "knee_flexion_deg": "knee_flexion_{side}_deg",
    "hip_extension_deg": "hip_extension_{side}_deg",
    "trunk_inclination_deg": "trunk_inclination_deg",
    "ankle_dorsiflexion_deg": None,
}
CURVE_LABELS = {
    "knee_flexion_deg": "Knee flexion",
    "hip_extension_deg": "Hip extension (thigh behind the trunk +)",
    "trunk_inclination_deg": "Trunk inclination (leaning back +)",
    "ankle_dorsiflexion_deg": "Ankle dorsiflexion",
}
# A stride missing more than this share of a curve's values is left out of that curve.
MAX_MISSING_SHARE = 0.2
# Thigh + shank as a share of body height (Winter's anthropometric table: 0.245 + 0.246).
LEG_SHARE_OF_HEIGHT = 0.491
SYMMETRY_FORMULA = ("Robinson's symmetry index: SI = 100 * (left - right) / "
                    "(0.5 * (left + right)); 0 = symmetric, positive = left larger")
# The table's values, in the order shown, with the symmetry index of each.
TABLE_METRICS = ("cadence_steps_per_min", "stride_time_s", "step_time_s", "stance_pct",
                 "swing_pct", "double_support_pct", "step_length_leg")


def robinson_si(left: float | None, right: float | None) -> float | None:
    """Robinson's symmetry index in % (None when either value is missing or both are 0)."""
    if left is None or right is None or not (np.isfinite(left) and np.isfinite(right)):
        return None
    mean = 0.5 * (left + right)
    if mean == 0:
        return None
    return round(float(100.0 * (left - right) / mean), 2) + 0.0  # never -0.0


@dataclass
class StrideRow:
    """One stride of one side: its timing and the step that ends it."""

    side: str
    number: int  # 1, 2, ... within the side, in time order
    start_t_s: float
    end_t_s: float
    start_frame: int
    end_frame: int
    start_position: int
    end_position: int
    stride_time_s: float
    toe_off_pct: float | None = None  # this foot's toe-off, % of the stride
    stance_pct: float | None = None
    swing_pct: float | None = None
    double_support_pct: float | None = None  # both double-support periods together
    step_time_s: float | None = None  # the other heel's strike to this stride's end
    step_length_leg: float | None = None  # heel to heel at this stride's end
    step_length_m: float | None = None

    def to_dict(self) -> dict:
        out = {}
        for key, value in self.__dict__.items():
            if key.endswith("_position"):
                continue
            out[key] = _round(value) if isinstance(value, float) else value
        return out


@dataclass
class CycleCurve:
    """One quantity over the gait cycle: each stride's 101 points and their mean."""

    mean: np.ndarray
    strides: list[np.ndarray]
    # ``StrideRow.number`` of each curve in ``strides`` (a stride missing too many values
    # is left out of a curve).
    numbers: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"mean": _round_list(self.mean),
                "strides": [_round_list(s) for s in self.strides],
                "stride_numbers": list(self.numbers)}


@dataclass
class SideCycle:
    side: str
    rows: list[StrideRow] = field(default_factory=list)
    curves: dict[str, CycleCurve] = field(default_factory=dict)
    cadence_steps_per_min: float | None = None
    stride_time_s: float | None = None
    step_time_s: float | None = None
    stance_pct: float | None = None
    swing_pct: float | None = None
    double_support_pct: float | None = None
    step_length_leg: float | None = None
    step_length_m: float | None = None
    toe_off_pct: float | None = None

    @property
    def strides(self) -> int:
        return len(self.rows)

    def value(self, metric: str) -> float | None:
        return getattr(self, metric)

    def to_dict(self) -> dict:
        out: dict = {"strides": self.strides}
        for metric in (*TABLE_METRICS, "step_length_m", "toe_off_pct"):
            out[metric] = _round(self.value(metric))
        out["curves"] = {name: curve.to_dict() for name, curve in self.curves.items()}
        out["per_stride"] = [r.to_dict() for r in self.rows]
        return out


@dataclass
class GaitCycle:
    per_side: dict[str, SideCycle]
    symmetry: dict[str, float | None]
    symmetry_formula: str = SYMMETRY_FORMULA
    height_m: float | None = None

    def rows(self) -> list[StrideRow]:
        """Every stride of both sides, in time order."""
        return sorted((r for s in SIDES for r in self.per_side[s].rows),
                      key=lambda r: (r.start_t_s, r.side))

    def to_dict(self) -> dict:
        """The ``gait`` report's ``per_side``, ``symmetry`` and ``symmetry_formula``."""
        return {
            "per_side": {side: self.per_side[side].to_dict() for side in SIDES},
            "symmetry": {k: v for k, v in self.symmetry.items()},
            "symmetry_formula": self.symmetry_formula,
        }


STRIDE_CSV_COLUMNS = ("side", "number", "start_t_s", "end_t_s", "start_frame", "end_frame",
                      "stride_time_s", "toe_off_pct", "stance_pct", "swing_pct",
                      "double_support_pct", "step_time_s", "step_length_leg", "step_length_m")


def strides_csv(cycle: GaitCycle | None) -> str:
    """One row per stride (both sides, time order); empty cells where a value is missing.
    Just the header when there is no gait cycle (no reliable walk)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STRIDE_CSV_COLUMNS)
    for row in (cycle.rows() if cycle is not None else []):
        values = row.to_dict()
        writer.writerow(["" if values.get(c) is None else values[c] for c in STRIDE_CSV_COLUMNS])
    return buffer.getvalue()


# --------------------------------------------------------------------------- helpers


def _round(value: float | None, digits: int = 3) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def _round_list(values: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else round(float(v), 2) for v in values]


def _median(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.median(kept)) if kept else None


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(kept)) if kept else None


def resample_stride(values: np.ndarray, t_s: np.ndarray, start: int,
                    stop: int) -> np.ndarray | None:
    """``values`` over positions start..stop (inclusive) at 0, 1, ..., 100 % of the stride,
    linear in time; None when more than ``MAX_MISSING_SHARE`` of them, or either end's
    neighbourhood (the first or last 10 %), are missing.

    >>> t = np.linspace(0.0, 1.0, 31)
    >>> out = resample_stride(2.0 * t, t, 0, 30)
    >>> float(out[50]), len(out)
    (1.0, 101)
    """
    seg = np.asarray(values[start : stop + 1], float)
    times = np.asarray(t_s[start : stop + 1], float)
    if seg.size < 3 or times[-1] <= times[0]:
        return None
    finite = np.isfinite(seg)
    if finite.sum() < 2 or 1.0 - finite.mean() > MAX_MISSING_SHARE:
        return None
    phase = 100.0 * (times - times[0]) / (times[-1] - times[0])
    if phase[finite][0] > 10.0 or phase[finite][-1] < 90.0:
        return None
    return np.interp(PCT, phase[finite], seg[finite])


def ankle_dorsiflexion_deg(xy_px: np.ndarray, side: str) -> np.ndarray:
    """Per frame: 90 deg less the angle between the shank (ankle to knee) and the foot
    (heel to toe); dorsiflexion positive. NaN where a point is missing."""
    pts = SIDE_POINTS[side]
    shank = xy_px[:, pts["knee"]] - xy_px[:, pts["ankle"]]
    foot = xy_px[:, pts["toe"]] - xy_px[:, pts["heel"]]
    dot = np.sum(shank * foot, axis=-1)
    norm = np.linalg.norm(shank, axis=-1) * np.linalg.norm(foot, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        angle = np.degrees(np.arccos(np.clip(dot / norm, -1.0, 1.0)))
    return 90.0 - angle


def _events(gait: GaitAnalysis, side: str, kind: str) -> list[tuple[int, float]]:
    return sorted((e.position, e.t_s) for e in gait.events if e.side == side and e.kind == kind)


def _first_inside(events: list[tuple[int, float]], lo: int, hi: int) -> tuple[int, float] | None:
    """The first event strictly between positions lo and hi."""
    return next(((p, t) for p, t in events if lo < p < hi), None)


def stride_rows(gait: GaitAnalysis, t_s: np.ndarray, frame_index: np.ndarray,
                xy_px: np.ndarray | None = None, leg_px: float | None = None,
                height_m: float | None = None) -> dict[str, list[StrideRow]]:
    """Each side's strides with their timing (and step length where landmarks and the
    leg length are given). Only the events matter here; the weight-shift check reads the
    stance shares and step times from this too."""
    heel = {s: _events(gait, s, "heel_strike") for s in SIDES}
    toe = {s: _events(gait, s, "toe_off") for s in SIDES}
    leg_m = LEG_SHARE_OF_HEIGHT * height_m if height_m else None
    out: dict[str, list[StrideRow]] = {}
    for side in SIDES:
        other = OTHER[side]
        rows: list[StrideRow] = []
        for number, (a, b) in enumerate(gait.stride_windows(side), start=1):
            ta, tb = float(t_s[a]), float(t_s[b])
            stride = tb - ta
            if stride <= 0:
                continue
            row = StrideRow(side, number, ta, tb, int(frame_index[a]), int(frame_index[b]),
                            a, b, stride)
            own_off = _first_inside(toe[side], a, b)
            other_strike = _first_inside(heel[other], a, b)
            if own_off is not None:
                row.toe_off_pct = row.stance_pct = 100.0 * (own_off[1] - ta) / stride
                row.swing_pct = 100.0 - row.stance_pct
                other_off = _first_inside(toe[other], a, own_off[0])
                if other_off is not None and other_strike is not None and \
                        other_strike[1] < own_off[1]:
                    first = other_off[1] - ta
                    second = own_off[1] - other_strike[1]
                    row.double_support_pct = 100.0 * (first + second) / stride
            if other_strike is not None:
                row.step_time_s = tb - other_strike[1]
            if xy_px is not None and leg_px and np.isfinite(leg_px) and leg_px > 0:
                here = xy_px[b, SIDE_POINTS[side]["heel"], 0]
                there = xy_px[b, SIDE_POINTS[other]["heel"], 0]
                if np.isfinite(here) and np.isfinite(there):
                    row.step_length_leg = float(abs(here - there) / leg_px)
                    if leg_m:
                        row.step_length_m = row.step_length_leg * leg_m
            rows.append(row)
        out[side] = rows
    return out


def _side_summary(side: str, rows: list[StrideRow], curves: dict[str, CycleCurve]) -> SideCycle:
    summary = SideCycle(side, rows, curves)
    summary.stride_time_s = _median([r.stride_time_s for r in rows])
    if summary.stride_time_s:
        summary.cadence_steps_per_min = 120.0 / summary.stride_time_s
    summary.step_time_s = _median([r.step_time_s for r in rows])
    summary.stance_pct = _median([r.stance_pct for r in rows])
    summary.swing_pct = None if summary.stance_pct is None else 100.0 - summary.stance_pct
    summary.double_support_pct = _median([r.double_support_pct for r in rows])
    summary.step_length_leg = _median([r.step_length_leg for r in rows])
    summary.step_length_m = _median([r.step_length_m for r in rows])
    summary.toe_off_pct = _mean([r.toe_off_pct for r in rows])
    return summary


def analyse_gait_cycle(measurements: Measurements, gait: GaitAnalysis,
                       height_m: float | None = None) -> GaitCycle:
    """Per-side gait cycle curves, the spatiotemporal table and symmetry indices."""
    t_s = measurements.t_s
    xy = measurements.level_xy_px
    rows = stride_rows(gait, t_s, measurements.frame_index, xy, measurements.leg_length_px,
                       height_m)
    per_side: dict[str, SideCycle] = {}
    for side in SIDES:
        curves: dict[str, CycleCurve] = {}
        for name, series_name in CURVES.items():
            if series_name is None:
                values = ankle_dorsiflexion_deg(xy, side) if xy is not None else None
            else:
                values = measurements.values.get(series_name.format(side=side))
            if values is None:
                continue
            kept = [(r.number, c) for r in rows[side] if (c := resample_stride(
                values, t_s, r.start_position, r.end_position)) is not None]
            if kept:
                strides = [c for _, c in kept]
                curves[name] = CycleCurve(np.mean(np.stack(strides), axis=0), strides,
                                          [n for n, _ in kept])
        per_side[side] = _side_summary(side, rows[side], curves)
    symmetry = {metric: robinson_si(per_side["left"].value(metric),
                                    per_side["right"].value(metric))
                for metric in TABLE_METRICS}
    return GaitCycle(per_side, symmetry, SYMMETRY_FORMULA, height_m)
