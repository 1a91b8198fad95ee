"""Side-by-side comparison of two stored sessions, from the numbers their reports hold.

Nothing is measured again: each row puts the earlier and the later report's value side by
side, with the difference when both are numbers.

>>> old = {"standing_side": {"findings": [{"id": "bent_knee", "status": "detected",
...        "severity": "mild", "value": 12.0, "unit": "deg"}], "measurements": {}}}
>>> new = {"standing_side": {"findings": [{"id": "bent_knee", "status": "not_detected",
...        "severity": "none", "value": 6.0, "unit": "deg"}], "measurements": {}}}
>>> row = compare_steps(old, new)[0]
>>> (row.before, row.after, row.change)
('Seen, mild, 12.0°', 'Not seen, 6.0°', '-6.0°')
>>> _finding_text({"status": "uncertain", "severity": "mild", "value": 7.0, "unit": "deg"})
'Uncertain — possibly present, mild, 7.0°'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .verdicts import session_verdicts
from .wording import (
    STATUS_LABELS,
    finding_title,
    fmt_number,
    measurement_label,
    measurement_unit,
    severity_text,
)


@dataclass(frozen=True)
class ComparisonRow:
    step_key: str
    item: str
    before: str
    after: str
    change: str
    changed: bool  # status or severity changed, or the value moved


def finite_number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _delta(before: Any, after: Any, unit: str | None) -> tuple[str, bool]:
    a, b = finite_number(before), finite_number(after)
    if a is None or b is None:
        return ("—", a != b)
    diff = b - a
    text = fmt_number(diff, unit)
    if diff > 0:
        text = "+" + text
    return text, abs(diff) >= 0.05


def _finding_text(finding: dict[str, Any] | None) -> str:
    if not finding:
        return "not recorded"
    status = finding.get("status", "")
    parts = [STATUS_LABELS.get(status, status)]
    if severity := severity_text(finding):
        parts.append(severity)
    if status != "not_assessable" and finite_number(finding.get("value")) is not None:
        parts.append(fmt_number(finding.get("value"), finding.get("unit")))
    return ", ".join(parts)


def compare_steps(
    before_steps: dict[str, dict[str, Any]], after_steps: dict[str, dict[str, Any]]
) -> list[ComparisonRow]:
    """One row per finding and per measurement median found in either session's steps."""
    rows: list[ComparisonRow] = []
    for step_key in [*after_steps, *[k for k in before_steps if k not in after_steps]]:
        old = before_steps.get(step_key) or {}
        new = after_steps.get(step_key) or {}
        old_f = {f.get("id"): f for f in old.get("findings") or []}
        new_f = {f.get("id"): f for f in new.get("findings") or []}
        for fid in [*new_f, *[k for k in old_f if k not in new_f]]:
            a, b = old_f.get(fid), new_f.get(fid)
            unit = (b or a or {}).get("unit")
            change, moved = _delta((a or {}).get("value"), (b or {}).get("value"), unit)
            status_changed = (a or {}).get("status") != (b or {}).get("status") or (
                (a or {}).get("severity") != (b or {}).get("severity")
            )
            rows.append(
                ComparisonRow(
                    step_key,
                    finding_title(b or a or {"id": fid}),
                    _finding_text(a),
                    _finding_text(b),
                    change,
                    status_changed or moved,
                )
            )
        old_m = old.get("measurements") or {}
        new_m = new.get("measurements") or {}
        for name in [*new_m, *[k for k in old_m if k not in new_m]]:
            old_stats = old_m.get(name) if isinstance(old_m.get(name), dict) else {}
            new_stats = new_m.get(name) if isinstance(new_m.get(name), dict) else {}
            unit = measurement_unit(name, new_stats or old_stats)
            a, b = old_stats.get("median"), new_stats.get("median")
            change, moved = _delta(a, b, unit)
            rows.append(
                ComparisonRow(
                    step_key,
                    f"{measurement_label(name)} (median)",
                    fmt_number(a, unit),
                    fmt_number(b, unit),
                    change,
                    moved,
                )
            )
    return rows


@dataclass(frozen=True)
class VerdictChange:
    """How one check's session verdict moved between two sessions."""

    check_id: str
    item: str
    before: str
    after: str
    change: str
    changed: bool
    note: str = ""


def _verdict_text(verdict: Any) -> str:
    if verdict.step_key is None:
        return "not recorded"  # no step that could assess it was recorded in that session
    text = _finding_text(verdict.finding)
    if verdict.step_key and verdict.status != "not_assessable":
        text += f" ({verdict.step_title})"
    return text


def compare_verdicts(
    before_steps: dict[str, dict[str, Any]], after_steps: dict[str, dict[str, Any]]
) -> list[VerdictChange]:
    """One row per check: the earlier and the later session's verdict (each from the step
    that assessed it) and the change in value when both rest on the same step (a standing
    knee angle and a walking one are not subtracted).

    >>> old = {"standing_side": {"findings": [{"id": "hollow_back", "status": "detected",
    ...        "severity": "moderate", "value": 11.7, "unit": "deg", "confidence": 0.9}]}}
    >>> new = {"standing_side": {"findings": [{"id": "hollow_back", "status": "not_detected",
    ...        "severity": "none", "value": 0.2, "unit": "deg", "confidence": 0.9}]}}
    >>> row = compare_verdicts(old, new)[0]
    >>> (row.item, row.before, row.after, row.change, row.changed)
    ('Hollow back (backward-leaning upper body)', 'Seen, moderate, 11.7° (Standing, side-on)', \
'Not seen, 0.2° (Standing, side-on)', '-11.5°', True)
    """
    before = {v.check_id: v for v in session_verdicts(before_steps)}
    after = {v.check_id: v for v in session_verdicts(after_steps)}
    rows = []
    for check_id in [*after, *[k for k in before if k not in after]]:
        a, b = before.get(check_id), after.get(check_id)
        fa = a.finding if a else {}
        fb = b.finding if b else {}
        assessed = [v for v in (a, b) if v is not None and v.status != "not_assessable"]
        note = ""
        if len(assessed) == 2 and a.step_key == b.step_key:
            change, moved = _delta(fa.get("value"), fb.get("value"), fb.get("unit"))
        else:
            change, moved = "—", False
            if len(assessed) == 2:
                note = "measured in different steps: values not subtracted"
        status_changed = fa.get("status") != fb.get("status") or (
            fa.get("severity") != fb.get("severity")
        )
        rows.append(
            VerdictChange(
                check_id,
                finding_title(fb or fa or {"id": check_id}),
                _verdict_text(a) if a else "not recorded",
                _verdict_text(b) if b else "not recorded",
                change,
                status_changed or moved,
                note,
            )
        )
    return rows
