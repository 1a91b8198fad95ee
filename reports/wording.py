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


# What a check's value really is, where its name says more than the camera measures.
MEASURED_AS: dict[str, str] = {
    "reduced_trunk_pelvis_motion": "measured as arm swing",
}


def finding_title(finding: dict[str, Any]) -> str:
    """The check's name, saying what is really measured where the name says more
    (pelvis and trunk motion is judged from the arm swing, the counter-movement a single
    side camera sees well).

    >>> finding_title({"id": "reduced_trunk_pelvis_motion",
    ...                "title": "Little pelvis and trunk movement when walking"})
    'Little pelvis and trunk movement when walking (measured as arm swing)'
    """
    fid = finding.get("id", "")
    title = str(finding.get("title") or FINDING_TITLES.get(fid, fid))
    measured_as = MEASURED_AS.get(fid)
    if measured_as and "arm swing" not in title.lower():
        title += f" ({measured_as})"
    return title


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


def clothing_line(report: dict[str, Any]) -> str | None:
    """One line on the clothing stated for the legs (``summary.clothing_at_knees``), or
    None when nothing, or shorts, was stated.

    >>> clothing_line({"summary": {"clothing_at_knees": "loose_trousers"}})
    'Clothing on the legs: loose trousers or a skirt; knee angles carry a larger error.'
    >>> clothing_line({"summary": {"clothing_at_knees": "shorts"}}) is None
    True
    """
    from posture.config import CLOTHING_AT_KNEES

    stated = (report.get("summary") or {}).get("clothing_at_knees")
    if stated not in ("long_trousers", "loose_trousers"):
        return None
    return (f"Clothing on the legs: {CLOTHING_AT_KNEES[stated]}; knee angles carry a "
            "larger error.")


def camera_notes(report: dict[str, Any]) -> list[str]:
    camera = (report.get("summary") or {}).get("camera")
    notes = camera.get("notes") if isinstance(camera, dict) else None
    return [str(n) for n in notes or [] if n]


# --- dates as people write them ---------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_datetime(value: Any, with_time: bool = True) -> str:
    """'30 Nov 2026, 21:40' for an ISO timestamp (or a datetime), in this computer's time
    zone when the timestamp carries one; the text unchanged when it is not a date.

    >>> human_datetime("2026-11-30T21:40:12")
    '30 Nov 2026, 21:40'
    >>> human_datetime("2026-11-30T21:40:12", with_time=False)
    '30 Nov 2026'
    """
    from datetime import datetime

    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value))
        except (TypeError, ValueError):
            return str(value or "")
    if when.tzinfo is not None:
        when = when.astimezone()
    day = f"{when.day} {_MONTHS[when.month - 1]} {when.year}"
    return f"{day}, {when:%H:%M}" if with_time else day


# --- the clinician's third person ---------------------------------------------------------------

_THIRD_PERSON = (
    # "You said ..." at the start of a sentence: the patient said it.
    (r"(^|(?<=[.!?]\s))You\b", "The patient"),
    (r"\byour answers\b", "the patient's answers"),
    (r"\bYour\b", "Their"),
    (r"\byour\b", "their"),
    (r"\byourself\b", "themselves"),
    # "you" as an object: after a verb or a preposition.
    (r"\b(keeps|keep|show|shows|help|helps|tell|tells|give|gives|let|lets|ask|asks|worries|"
     r"worry|bothers|bother|for|to|with|at|of|on|from)\s+you\b", r"\1 them"),
    (r"\bYou\b", "They"),
    (r"\byou\b", "they"),
)


def third_person(text: str) -> str:
    """Engine wording written to the patient ("you") rewritten for a clinician.

    >>> third_person("You said both calves hurt. It looked at your posture and keeps you "
    ...              "from your usual sport; watch whether you lock your knees.")
    'The patient said both calves hurt. It looked at their posture and keeps them from \
their usual sport; watch whether they lock their knees.'
    >>> third_person("It is listed because your answers fit it.")
    "It is listed because the patient's answers fit it."
    """
    import re

    out = str(text)
    for pattern, repl in _THIRD_PERSON:
        out = re.sub(pattern, repl, out)
    return out


# --- what the numbers mean ----------------------------------------------------------------------

CONFIDENCE_MEANING = (
    "Confidence is the chance that the true value is on the side of the threshold the "
    "verdict says, given the typical error of a 2D camera measurement and this recording's "
    "own errors (camera roll, an oblique view, the far leg), times the share of usable "
    "frames. About 50 % means the value sits right at the threshold; 70 % or more is needed "
    "for 'Seen'."
)
UNCERTAIN_MEANING = (
    "Uncertain (possibly present) means the value is past the threshold but the confidence "
    "is below 70 %: close to the threshold, or measured less reliably. It is never counted "
    "as seen; check it by eye."
)
SEVERITY_MEANING = (
    "Severity says how far past the threshold the value is, in three bands (mild, "
    "moderate, marked) set in the engine's configuration with their sources. A photo is "
    "one moment and a video the median over the steady frames or the stance phases, so "
    "the same person can be a band apart between a snapshot and a video."
)


def worst_first(finding: dict[str, Any]) -> list[dict[str, Any]]:
    """A finding's evidence frames, the one furthest past the threshold first (the direction
    taken from the finding's own value against its threshold: knees pressed back are
    negative angles, so the most negative comes first).

    >>> f = {"value": -12.0, "threshold": -5.0, "evidence": [
    ...     {"t_s": 1, "value": -6.0}, {"t_s": 2, "value": -14.0}, {"t_s": 3, "value": -9.0}]}
    >>> [e["t_s"] for e in worst_first(f)]
    [2, 3, 1]
    """
    evidence = [e for e in finding.get("evidence") or [] if isinstance(e, dict)]
    try:
        value = float(finding.get("value"))
        threshold = float(finding.get("threshold"))
    except (TypeError, ValueError):
        return evidence
    direction = -1.0 if value < threshold else 1.0

    def past(e: dict[str, Any]) -> float:
        try:
            v = float(e.get("value"))
        except (TypeError, ValueError):
            return -math.inf
        return direction * v if math.isfinite(v) else -math.inf

    return sorted(evidence, key=past, reverse=True)


# ------------------------------------------------------------------ clinician's corrections

def _correction_value(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, (int, float)):
        suffix = "°" if unit == "deg" else (f" {unit}" if unit else "")
        return f"{value:+.1f}{suffix}"
    return str(value).replace("_", " ")


def moved_landmarks(report: dict[str, Any]) -> str:
    """'left knee, right ankle': the landmarks the clinician moved (empty if none)."""
    block = report.get("corrections") or {}
    return ", ".join(sorted({str(m.get("name", "")).replace("_", " ")
                             for m in block.get("landmarks") or []}))


def correction_rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(what, original, corrected by the clinician) for every value the clinician's
    corrections changed, as the app and the PDF show them; values that changed only past
    the shown precision stay in the JSON.

    >>> correction_rows({"findings": [{"id": "knee_hyperextension", "title": "Knees back"}],
    ...     "corrections": {"findings": [{"id": "knee_hyperextension", "field": "status",
    ...                                   "original": "not_detected", "corrected": "detected"}]}})
    [('Knees back: finding', 'not detected', 'detected')]
    """
    block = report.get("corrections") or {}
    findings = {f.get("id"): f for f in report.get("findings") or []}
    fields = {"status": "finding", "severity": "severity", "side": "side", "value": "value"}
    rows = []
    for f in block.get("findings") or []:
        finding = findings.get(f.get("id")) or {}
        unit = finding.get("unit", "") if f.get("field") == "value" else ""
        title = finding.get("title") or str(f.get("id")).replace("_", " ")
        rows.append((f"{title}: {fields.get(f.get('field'), f.get('field'))}",
                     _correction_value(f.get("original"), unit),
                     _correction_value(f.get("corrected"), unit)))
    for m in block.get("measurements") or []:
        rows.append((measurement_label(str(m.get("name"))),
                     _correction_value(m.get("original"), m.get("unit", "")),
                     _correction_value(m.get("corrected"), m.get("unit", ""))))
    if ((report.get("summary") or {}).get("source") or {}).get("kind") != "image":
        # In a video the summary moves little; the corrected frame's own values show it.
        for v in block.get("frame_values") or []:
            unit = "deg" if str(v.get("name")).endswith("_deg") else "%"
            rows.append((f"{measurement_label(str(v.get('name')))}, frame "
                         f"{v.get('frame_index')}",
                         _correction_value(v.get("original"), unit),
                         _correction_value(v.get("corrected"), unit)))
    return [r for r in rows if r[1] != r[2]]
