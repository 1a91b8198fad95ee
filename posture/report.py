"""Stage 8: the report. A versioned JSON document (schema: ``report.schema.json`` beside this
file, described in ``docs/report.md``) and a per-frame CSV of the measurements.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_write_text
from .checks import Finding
from .gait import GaitAnalysis
from .measurements import MEASUREMENTS, Measurements, unit_of

# 2: findings may be "uncertain"; summary.camera (required); gait reliable/kind; running.
# 3: gait.per_side (gait cycle curves and the spatiotemporal table), gait.symmetry; the
#    weight_shift finding is also judged while walking (a limp).
# 4: an optional top-level ``corrections`` block: landmarks the clinician moved and every
#    value that changed, original beside corrected (``posture.corrections``).
SCHEMA_VERSION = "4"
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


@dataclass
class Report:
    summary: dict[str, Any]
    measurements: dict[str, dict[str, Any]]
    findings: list[Finding]
    gait: GaitAnalysis | None
    explanations: list[Any] = field(default_factory=list)
    red_flags: list[Any] = field(default_factory=list)
    disclaimer: str = ""
    # ``posture.gait_cycle.GaitCycle`` of a reliable gait: its per-side table and curves
    # go into the report's ``gait`` object.
    gait_cycle: Any = None
    # ``posture.corrections.corrections_block``: set only when the clinician moved
    # landmarks and the analysis was run again; absent from the JSON otherwise.
    corrections: dict[str, Any] | None = None

    def finding(self, finding_id: str) -> Finding:
        return next(f for f in self.findings if f.id == finding_id)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "schema_version": SCHEMA_VERSION,
            "summary": _jsonable(self.summary),
            "measurements": _jsonable(self.measurements),
            "findings": [f.to_dict() for f in self.findings],
            "gait": self._gait_dict(),
            "red_flags": [_jsonable(r) for r in self.red_flags],
            "explanations": [_jsonable(e) for e in self.explanations],
            "disclaimer": self.disclaimer,
        }
        if self.corrections is not None:
            out["corrections"] = _jsonable(self.corrections)
        return out

    def _gait_dict(self) -> dict[str, Any] | None:
        if self.gait is None:
            return None
        out = self.gait.to_dict()
        if self.gait_cycle is not None:
            out.update(self.gait_cycle.to_dict())
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)


def _jsonable(value: Any) -> Any:
    """Dataclasses, numpy scalars and tuples -> plain JSON values; NaN -> None."""
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else round(float(value), 4)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _degrees(value: float) -> str:
    size = abs(float(value))
    return f"{size:.1f}°" if size < 1 else f"{size:.0f}°"


def camera_text(camera: Any, view: str | None = None) -> str | None:
    """One line on how the camera stood (``summary.camera``), or None when it is missing.
    Read defensively: every key may be absent. Roll is shown by its size only.

    >>> camera_text({"roll_deg": -3.2, "roll_source": "floor contacts of the feet while "
    ...              "walking", "off_axis_deg": 12.4, "corrected": True}, "side_left")
    'Camera roll 3° (measured from the floor contacts of the feet while walking), corrected; 12° off the side axis.'
    >>> camera_text({"roll_deg": None, "roll_source": "not measured: the feet were not seen "
    ...              "clearly", "off_axis_deg": None, "corrected": False}, "front")
    'Camera roll not measured: the feet were not seen clearly; angle to the front axis not measured.'
    """  # noqa: E501
    if not isinstance(camera, dict):
        return None
    source = str(camera.get("roll_source") or "").strip()
    roll = camera.get("roll_deg")
    if isinstance(roll, (int, float)) and np.isfinite(roll):
        text = f"Camera roll {_degrees(roll)}"
        if source:
            text += f" (measured from the {source.removeprefix('the ')})"
        text += ", corrected" if camera.get("corrected") else ", not corrected"
    elif source.startswith("not "):
        text = f"Camera roll {source}"
    else:
        text = "Camera roll not measured" + (f" ({source})" if source else "")
    axis = {"side_left": "the side axis", "side_right": "the side axis",
            "front": "the front axis", "back": "the front axis"}.get(view or "",
                                                                  "a square side or front view")
    off_axis = camera.get("off_axis_deg")
    if isinstance(off_axis, (int, float)) and np.isfinite(off_axis):
        text += f"; {_degrees(off_axis)} off {axis}."
    else:
        text += f"; angle to {axis} not measured."
    return text


def gait_unreliable_reason(gait: Any) -> str | None:
    """Why the gait timing is not to be trusted (``gait.reliable`` false), else None.

    >>> gait_unreliable_reason({"reliable": False, "unreliable_reason": "too few steps"})
    'too few steps'
    >>> gait_unreliable_reason({"cadence_steps_per_min": 110.0}) is None  # older reports
    True
    """
    if not isinstance(gait, dict) or gait.get("reliable") is not False:
        return None
    reason = str(gait.get("unreliable_reason") or "").strip()
    return reason or "the steps could not be timed reliably"


def summarise_measurements(
    measurements: Measurements, frames: np.ndarray | None = None
) -> dict[str, dict[str, Any]]:
    """Median and spread of every measurement with at least one value.

    ``frames`` (bool mask) limits the summary, e.g. to quiet standing. For a photo the
    median is the single value.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, series in measurements.values.items():
        values = series if frames is None else series[frames]
        values = values[np.isfinite(values)]
        if values.size == 0:
            continue
        out[name] = {
            "unit": unit_of(name),
            "description": MEASUREMENTS[name][2],
            "median": round(float(np.median(values)), 2),
            "mean": round(float(np.mean(values)), 2),
            "p10": round(float(np.percentile(values, 10)), 2),
            "p90": round(float(np.percentile(values, 90)), 2),
            "min": round(float(values.min()), 2),
            "max": round(float(values.max()), 2),
            "n_frames": int(values.size),
        }
    return out


def measurements_csv(measurements: Measurements) -> str:
    """One row per analysed frame; empty cells where a value is missing."""
    series = measurements.series()
    names = list(series)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for i in range(len(measurements.t_s)):
        row = []
        for name in names:
            value = series[name][i]
            if name == "frame_index":
                row.append(int(value))
            elif np.isfinite(value):
                row.append(f"{float(value):.3f}" if name != "t_s" else f"{float(value):.4f}")
            else:
                row.append("")
        writer.writerow(row)
    return buffer.getvalue()


def write_json(report: Report, path: str | Path) -> None:
    atomic_write_text(path, report.to_json() + "\n")


def write_csv(measurements: Measurements, path: str | Path) -> None:
    atomic_write_text(path, measurements_csv(measurements))


def validate(report_dict: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if the report does not follow its schema."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(report_dict, schema)
