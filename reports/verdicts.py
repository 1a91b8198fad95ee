"""A screening session's verdict per check, from the step that can assess it.

A session has three recordings (standing side-on, standing facing the camera, walking
side-on); each report holds all five checks, most of them "not assessable" in a step whose
view or activity they do not use. The session's verdict for a check rests on one reading:

1. only readings that assessed the check count (a front view's "not assessable" for a knee
   check says nothing about the knees when a side-on step measured them);
2. a reading past the threshold (detected, then uncertain) wins over a "not seen" one when
   its confidence allows it (at least ``FLAG_MIN_CONFIDENCE``, the chance that the value
   is really past the threshold); among readings of the same status the one from the step
   meant for the check, then the most confident, wins;
3. with no reading that assessed it, the verdict is "not assessable" and says why in the
   words of the step meant for the check, or that this step has not been recorded yet.

Every verdict names the step it rests on and lists the other steps' readings. No Streamlit
here: the app, the PDF and the comparison use it alike; nothing is measured again.

>>> side = {"summary": {"view": "side_left", "activity": "standing"}, "findings": [
...     {"id": "hollow_back", "status": "not_detected", "value": 0.2, "confidence": 0.9}]}
>>> front = {"summary": {"view": "front", "activity": "standing"}, "findings": [
...     {"id": "hollow_back", "status": "not_assessable", "value": None, "confidence": 0.0}]}
>>> v = verdict_for("hollow_back", {"standing_front": front, "standing_side": side})
>>> (v.status, v.step_key)
('not_detected', 'standing_side')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .wording import FINDING_TITLES, STATUS_LABELS, VIEW_LABELS, finding_title, fmt_number

CHECK_ORDER: tuple[str, ...] = (
    "hollow_back",
    "knee_hyperextension",
    "bent_knee",
    "weight_shift",
    "reduced_trunk_pelvis_motion",
)
# A reading past the threshold outranks a "not seen" one only when it is at least this
# likely to be really past it (the engine's confidence: about 0.5 means a coin toss).
FLAG_MIN_CONFIDENCE = 0.5
_FLAG_RANK = {"detected": 2, "uncertain": 1}
_SEVERITY_RANK = {"marked": 3, "moderate": 2, "mild": 1}
_SIDE_VIEWS = ("side_left", "side_right")
_FRONT_VIEWS = ("front", "back")


@dataclass(frozen=True)
class StepSpec:
    """One step of the screening protocol: what its recording must show, and the checks
    it is meant for (the others may still be measured in it, but are not its job)."""

    key: str
    title: str
    views: tuple[str, ...]
    activities: tuple[str, ...]
    checks: tuple[str, ...]
    asks: str  # "standing side-on"


STEPS: tuple[StepSpec, ...] = (
    StepSpec("standing_side", "Standing, side-on", _SIDE_VIEWS, ("standing",),
             ("hollow_back", "knee_hyperextension", "bent_knee"), "standing side-on"),
    StepSpec("standing_front", "Standing, facing the camera", _FRONT_VIEWS, ("standing",),
             ("weight_shift",), "standing facing the camera"),
    StepSpec("walking_side", "Walking, side-on", _SIDE_VIEWS, ("walking",),
             ("knee_hyperextension", "bent_knee", "reduced_trunk_pelvis_motion"),
             "walking side-on"),
)
STEP_BY_KEY: dict[str, StepSpec] = {s.key: s for s in STEPS}


def step_title(step_key: str | None) -> str:
    spec = STEP_BY_KEY.get(step_key or "")
    return spec.title if spec else str(step_key or "")


@dataclass(frozen=True)
class Reading:
    """One step's finding for one check."""

    step_key: str
    finding: dict[str, Any]

    @property
    def status(self) -> str:
        return str(self.finding.get("status") or "not_assessable")

    @property
    def confidence(self) -> float:
        try:
            return float(self.finding.get("confidence") or 0.0)
        except (TypeError, ValueError):
            return 0.0

    @property
    def assessed(self) -> bool:
        return self.status != "not_assessable"

    @property
    def flag_counts(self) -> bool:
        return self.status in _FLAG_RANK and self.confidence >= FLAG_MIN_CONFIDENCE

    def short(self) -> str:
        """'Not seen, 3.0°' / 'Seen, marked, -15.5°' / 'Not assessable'."""
        parts = [STATUS_LABELS.get(self.status, self.status)]
        severity = self.finding.get("severity")
        if self.status in _FLAG_RANK and severity and severity != "none":
            parts.append(str(severity))
        if self.assessed and self.finding.get("value") is not None:
            parts.append(fmt_number(self.finding.get("value"), self.finding.get("unit")))
        return ", ".join(parts)


@dataclass
class CheckVerdict:
    """The session's verdict on one check and the reading it rests on."""

    check_id: str
    finding: dict[str, Any]  # the finding the verdict rests on (a copy, with "step_key")
    step_key: str | None  # the step it rests on; None when no step meant for it was recorded
    readings: list[Reading] = field(default_factory=list)  # every recorded step, in order

    @property
    def status(self) -> str:
        return str(self.finding.get("status") or "not_assessable")

    @property
    def title(self) -> str:
        return finding_title(self.finding)

    @property
    def step_title(self) -> str:
        return step_title(self.step_key)

    @property
    def corrected(self) -> bool:
        """True when the reading rests on landmarks the clinician corrected and changed."""
        return bool(self.finding.get("corrected_by_clinician"))

    @property
    def recorded(self) -> bool:
        """False when no step that could assess the check was recorded."""
        return self.step_key is not None

    @property
    def others(self) -> list[Reading]:
        """Other steps that assessed the check too."""
        return [r for r in self.readings if r.step_key != self.step_key and r.assessed]

    def basis(self) -> str:
        """Which step the verdict rests on, in words, with the other steps' readings."""
        if self.step_key is None:
            return str(self.finding.get("message") or "")
        if self.status == "not_assessable":
            text = f"Could not be judged in {self.step_title}."
        else:
            text = f"From {self.step_title}."
        others = self.others
        if others:
            text += " Also measured in " + "; ".join(
                f"{step_title(r.step_key)}: {r.short().lower()}" for r in others
            ) + "."
        return text


def _meant_for(check_id: str) -> list[str]:
    return [s.key for s in STEPS if check_id in s.checks]


def _rank_key(reading: Reading, meant: list[str]) -> tuple:
    severity = _SEVERITY_RANK.get(str(reading.finding.get("severity") or ""), 0)
    return (reading.step_key in meant, reading.confidence, severity)


def _pick(readings: list[Reading], meant: list[str]) -> Reading | None:
    assessed = [r for r in readings if r.assessed]
    if not assessed:
        return None
    flagged = [r for r in assessed if r.flag_counts]
    if flagged:
        top = max(_FLAG_RANK[r.status] for r in flagged)
        return max((r for r in flagged if _FLAG_RANK[r.status] == top),
                   key=lambda r: _rank_key(r, meant))
    clear = [r for r in assessed if r.status == "not_detected"]
    pool = clear or assessed  # only weak flagged readings: the best of them stands
    return max(pool, key=lambda r: _rank_key(r, meant))


def _not_recorded(check_id: str, meant: list[str]) -> dict[str, Any]:
    steps = " or ".join(f"'{step_title(k)}'" for k in meant) or "a suitable step"
    return {
        "id": check_id,
        "title": FINDING_TITLES.get(check_id, check_id),
        "status": "not_assessable",
        "severity": "none",
        "side": None,
        "value": None,
        "confidence": 0.0,
        "evidence": [],
        "message": f"Not recorded: this check needs the step {steps}.",
    }


def verdict_for(check_id: str, reports: Mapping[str, Mapping[str, Any]]) -> CheckVerdict:
    """The session's verdict on ``check_id`` from the steps' reports (step key -> report)."""
    order = [s.key for s in STEPS] + [k for k in reports if k not in STEP_BY_KEY]
    readings = []
    for key in order:
        report = reports.get(key)
        if not report:
            continue
        for finding in report.get("findings") or []:
            if finding.get("id") == check_id:
                readings.append(Reading(key, dict(finding)))
                break
    meant = _meant_for(check_id)
    chosen = _pick(readings, meant)
    if chosen is None:
        # Nobody assessed it: say why in the words of the step meant for it, if recorded.
        chosen = next((r for r in readings if r.step_key in meant), None)
    if chosen is None:
        return CheckVerdict(check_id, _not_recorded(check_id, meant), None, readings)
    finding = dict(chosen.finding)
    finding["step_key"] = chosen.step_key
    finding["step_title"] = step_title(chosen.step_key)
    changed = ((reports.get(chosen.step_key) or {}).get("corrections") or {}).get("findings")
    if any(c.get("id") == check_id for c in changed or []):
        # The clinician moved a landmark and this check's reading changed with it.
        finding["corrected_by_clinician"] = True
    return CheckVerdict(check_id, finding, chosen.step_key, readings)


def session_verdicts(reports: Mapping[str, Mapping[str, Any]]) -> list[CheckVerdict]:
    """One verdict per check, in the report's order, plus any check the engine adds later."""
    ids = list(CHECK_ORDER)
    for report in reports.values():
        for finding in (report or {}).get("findings") or []:
            if finding.get("id") and finding["id"] not in ids:
                ids.append(finding["id"])
    return [verdict_for(check_id, reports) for check_id in ids]


def verdict_findings(verdicts: list[CheckVerdict]) -> list[dict[str, Any]]:
    """The findings the verdicts rest on (one per check): what explanations are made from."""
    return [v.finding for v in verdicts]


# --- does a recording show what its step asks for? ------------------------------------------


def _view_words(view: str | None) -> str:
    return VIEW_LABELS.get(view or "unknown", str(view))


def nobody_in_view(report: Mapping[str, Any] | None) -> bool:
    """True when the engine found no person in the recording (a valid, empty result)."""
    summary = (report or {}).get("summary") or {}
    return summary.get("person_found") is False


def step_mismatch(step_key: str, report: Mapping[str, Any] | None) -> str | None:
    """A sentence saying how the recording differs from what the step asks for, or None.

    >>> step_mismatch("standing_side", {"summary": {"view": "front", "activity": "standing",
    ...                                             "person_found": True}})
    'This step asks for the patient standing side-on, but the recording shows the patient \
facing the camera, standing. The checks meant for this step (hollow back, knees pressed \
back, bent knees) need a side-on view.'
    """
    spec = STEP_BY_KEY.get(step_key)
    if spec is None or not report:
        return None
    if nobody_in_view(report):
        return "Nobody was found in this recording, so nothing could be measured."
    summary = report.get("summary") or {}
    view, activity = summary.get("view"), summary.get("activity")
    view_ok = view in spec.views
    activity_ok = activity in spec.activities
    if view_ok and activity_ok:
        return None
    shows = f"{_view_words(view)}, {activity or 'activity unclear'}"
    needs = "a side-on view" if spec.views == _SIDE_VIEWS else "a view facing the camera"
    if view_ok:
        needs = "walking" if "walking" in spec.activities else "quiet standing"
    checks = ", ".join(_SHORT_NAMES.get(c, c) for c in spec.checks)
    return (f"This step asks for the patient {spec.asks}, but the recording shows the patient "
            f"{shows}. The checks meant for this step ({checks}) need {needs}.")


_SHORT_NAMES = {
    "hollow_back": "hollow back",
    "knee_hyperextension": "knees pressed back",
    "bent_knee": "bent knees",
    "weight_shift": "weight shift",
    "reduced_trunk_pelvis_motion": "pelvis and trunk motion",
}
