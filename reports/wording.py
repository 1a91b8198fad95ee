"""Plain-language labels for report fields, shared by the app and the PDF (no UI imports).

These only name and format what the engine reported; nothing is computed here.
"""

from __future__ import annotations

import math
from typing import Any

from posture.report import camera_text, gait_unreliable_reason

FINDING_TITLES: dict[str, str] = {
    "hollow_back": "Hollow back (backward-leaning upper body)",
    "knee_hyperextension": "Knees pressed backwards (hyperextension)",
    "bent_knee": "Permanently bent knees",
    "weight_shift": "Weight shifted to one leg",
    "reduced_trunk_pelvis_motion": "Little pelvis and trunk motion while walking",
}

STATUS_LABELS: dict[str, str] = {
    "detected": "Seen",
    # Past the threshold but close to it, or measured with low confidence: never "Seen".
    "uncertain": "Uncertain — possibly present",
    "not_detected": "Not seen",
    "not_assessable": "Not assessable",
}
# Statuses that carry a severity and a side (a finding past its threshold).
FLAGGED_STATUSES = ("detected", "uncertain")
# Said beside every uncertain finding, on screen and in the PDF.
UNCERTAIN_NOTE = (
    "The value is past the threshold but close to it, or was measured less reliably "
    "(camera angle, far leg, loose clothing): worth checking by eye."
)
# Heading added to an explanation that rests on uncertain findings only.
UNCERTAIN_EXPLANATION_PREFIX = "Possibly: "

SEVERITY_LABELS: dict[str, str] = {
    "none": "none",
    "mild": "mild",
    "moderate": "moderate",
    "marked": "marked",
}

MEASUREMENT_LABELS: dict[str, str] = {
    "knee_flexion_left_deg": "Knee flexion, left",
    "knee_flexion_right_deg": "Knee flexion, right",
    "trunk_inclination_deg": "Trunk inclination (backward +)",
    "pelvic_obliquity_deg": "Pelvic obliquity (left hip higher +)",
    "load_share_right_pct": "Weight position (0 = over left ankle, 100 = over right)",
    "hip_extension_left_deg": "Hip extension, left",
    "hip_extension_right_deg": "Hip extension, right",
}

VIEW_LABELS: dict[str, str] = {
    "side_left": "side-on, left side towards the camera",
    "side_right": "side-on, right side towards the camera",
    "front": "facing the camera",
    "back": "back to the camera",
    "unknown": "unclear",
}

# Shown with every result, on screen and in the PDF: the tool measures, it does not diagnose.
DISCLAIMER = (
    "This report describes posture measured from video. It is not a diagnosis. "
    "If you have pain, see a doctor or physiotherapist; with sudden, severe or stabbing pain, "
    "swelling, or pain at rest, see a doctor as soon as possible."
)


def finding_title(finding: dict[str, Any]) -> str:
    return str(finding.get("title") or FINDING_TITLES.get(finding.get("id", ""), finding.get("id")))


def measurement_label(name: str) -> str:
    if name in MEASUREMENT_LABELS:
        return MEASUREMENT_LABELS[name]
    return name.replace("_deg", "").replace("_pct", "").replace("_", " ").capitalize()


def measurement_unit(name: str, stats: dict[str, Any] | None = None) -> str | None:
    """The unit the report gives for a measurement, else the one its name ends with."""
    if stats and stats.get("unit"):
        return str(stats["unit"])
    if name.endswith("_deg"):
        return "deg"
    if name.endswith("_pct"):
        return "%"
    return None


def unit_suffix(unit: str | None) -> str:
    if not unit:
        return ""
    return {"deg": "°", "pct": " %", "%": " %", "s": " s", "steps/min": " steps/min"}.get(
        unit, f" {unit}"
    )


def fmt_number(value: Any, unit: str | None = None, digits: int = 1) -> str:
    """'12.3°' for (12.34, 'deg'); an em dash for missing or non-finite values."""
    if value is None:
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "—"
    return f"{number:.{digits}f}{unit_suffix(unit)}"


def side_label(side: str | None) -> str:
    return {"left": "left", "right": "right", "both": "both sides"}.get(side or "", "")


def finding_summary_line(finding: dict[str, Any]) -> str:
    """One line: status, severity, side, value against threshold, confidence."""
    status = finding.get("status", "")
    parts = [STATUS_LABELS.get(status, status)]
    if status in FLAGGED_STATUSES:
        parts.append(severity_text(finding))
        side = side_label(finding.get("side"))
        if side:
            parts.append(side)
    if status != "not_assessable" and finding.get("value") is not None:
        unit = finding.get("unit")
        measured = f"measured {fmt_number(finding.get('value'), unit)}"
        if finding.get("threshold") is not None:
            measured += f" (threshold {fmt_number(finding.get('threshold'), unit)})"
        parts.append(measured)
    confidence = finding.get("confidence")
    if confidence is not None and status != "not_assessable":
        parts.append(f"confidence {fmt_number(100 * float(confidence), None, 0)} %")
    return " · ".join(p for p in parts if p)


def severity_text(finding: dict[str, Any], hedged: bool = False) -> str:
    """Severity of a seen or uncertain finding ("" otherwise); ``hedged`` writes "possibly
    mild" for an uncertain one, where no status label beside it says so."""
    status = finding.get("status")
    severity = finding.get("severity")
    if status not in FLAGGED_STATUSES or not severity or severity == "none":
        return ""
    label = SEVERITY_LABELS.get(severity, severity)
    return f"possibly {label}" if hedged and status == "uncertain" else label


def explanation_title(item: Any) -> str:
    """An explanation's heading; hedged when it rests on uncertain findings only."""
    title, _ = text_of(item)
    if isinstance(item, dict) and item.get("relevance") == "uncertain_findings":
        return UNCERTAIN_EXPLANATION_PREFIX + (title[:1].lower() + title[1:] if title else "")
    return title


def sorted_explanations(items: list[Any]) -> list[Any]:
    """Explanations as the engine ranked them, but never one resting on uncertain findings
    (or a background one) before one resting on a clear finding or the answers, whatever
    order several reports put them in."""
    rank = {"uncertain_findings": 1, "background": 2}
    return sorted(
        items, key=lambda e: rank.get(e.get("relevance"), 0) if isinstance(e, dict) else 0
    )


def text_of(item: Any) -> tuple[str, str]:
    """(title, body) of an explanation or red-flag item, whatever shape the engine gave."""
    if isinstance(item, str):
        return "", item
    if isinstance(item, dict):
        title = str(item.get("title") or item.get("heading") or item.get("name") or "")
        body_parts = [
            str(item[k])
            for k in ("message", "text", "body", "explanation", "advice", "action")
            if item.get(k)
        ]
        return title, " ".join(body_parts)
    return "", str(item)


def red_flag_text(item: Any) -> tuple[str, str]:
    """(heading, body) of a red flag: urgency first, e.g. ("See a doctor today: DVT", "...")."""
    title, body = text_of(item)
    if isinstance(item, dict) and item.get("urgency_label"):
        title = f"{item['urgency_label']}: {title}" if title else str(item["urgency_label"])
    return title, body


def sorted_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Seen findings first (most severe first), then uncertain ones, then not seen, then not
    assessable."""
    status_rank = {"detected": 0, "uncertain": 1, "not_detected": 2, "not_assessable": 3}
    severity_rank = {"marked": 0, "moderate": 1, "mild": 2, "none": 3}
    return sorted(
        findings,
        key=lambda f: (
            status_rank.get(f.get("status", ""), 4),
            severity_rank.get(f.get("severity", "none"), 4),
        ),
    )


def summary_parts(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs describing a recording: activity, camera view, cadence (or why
    the gait timing is not shown)."""
    summary = report.get("summary") or {}
    parts = []
    if summary.get("activity"):
        parts.append(("activity", str(summary["activity"])))
    if summary.get("view"):
        parts.append(("camera view", VIEW_LABELS.get(summary["view"], summary["view"])))
    gait = report.get("gait") or {}
    unreliable = gait_unreliable_reason(gait)
    if unreliable is not None:
        parts.append(("gait timing", f"not reliable: {clause(unreliable)}"))
    elif gait.get("cadence_steps_per_min") is not None:
        parts.append(("cadence", fmt_number(gait["cadence_steps_per_min"], "steps/min", 0)))
    return parts


def clause(text: str) -> str:
    """A sentence made to follow a colon: no final full stop, first letter lower-case
    (unless the first word is an abbreviation).

    >>> clause("Too few steps were seen.")
    'too few steps were seen'
    """
    text = str(text).strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def camera_line(report: dict[str, Any]) -> str | None:
    """One line on the camera's roll and angle (``summary.camera``), or None without it."""
    summary = report.get("summary") or {}
    return camera_text(summary.get("camera"), summary.get("view"))


def camera_notes(report: dict[str, Any]) -> list[str]:
    camera = (report.get("summary") or {}).get("camera")
    notes = camera.get("notes") if isinstance(camera, dict) else None
    return [str(n) for n in notes or [] if n]
