"""Turn findings and optional symptom answers into possible causes and red flags.

The knowledge itself is plain data in `posture.knowledge`; this module only applies it.

Rules, in short (docs/explanations.md has the full table):
  * Red flags come from the answers alone and are returned most urgent first; anything that
    shows advice to the user puts them before the posture explanations (`combined_advice`).
  * A cause the camera can see is listed only when one of its findings was detected or is
    "uncertain" (past its threshold but close to it, or measured with low confidence). A
    cause resting on uncertain findings alone is "uncertain_findings": its text says the
    reading is uncertain and worth checking by eye, and it ranks below every cause that rests
    on a clear finding or on the answers. When the camera could not assess its main finding
    (e.g. hollow back from a front view) and the answers fit the cause, it is listed as
    "background", last, saying which recording would check it.
  * A cause the camera cannot see is listed only when an answer that "brings it in" is given.
  * Causes that nothing supports are left out.
  * Score = tier + span * p / (p + 1), where p adds up the evidence present (each detected
    finding's weight times its severity factor, half that for an uncertain finding, plus the
    weight of each fitting answer). Tier and span: "matches_findings" 2 and 0.99,
    "matches_symptoms" 1 and 0.99, "uncertain_findings" 0.5 and 0.49, "background" 0 and
    0.49. So a cause with a detected finding always ranks above one supported by answers only,
    which ranks above one resting on uncertain findings, and within a tier more (or more
    severe) evidence ranks higher.

>>> from types import SimpleNamespace as F
>>> exps, flags = explain([F(id="weight_shift", status="detected", severity="mild", side="left")],
...                       Symptoms(painful_side="left"))
>>> exps[0].id, exps[0].relevance, flags
('weight_shift_habit', 'matches_findings', [])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from posture.errors import InputError
from posture.knowledge import (
    CAUSES,
    DISCLAIMER,
    QUESTIONS,
    RED_FLAGS,
    URGENCY_LABELS,
    URGENCY_ORDER,
    Cause,
    Condition,
    FindingRole,
    SideRule,
    SourcePassage,
    SymptomQuestion,
    SymptomSignal,
    Urgency,
)

__all__ = [
    "DISCLAIMER",
    "Explanation",
    "FindingLike",
    "RedFlag",
    "SourcePassage",
    "Symptoms",
    "combined_advice",
    "explain",
    "red_flag_questions",
    "red_flags",
    "symptom_questions",
]

Side = Literal["left", "right", "both"]
PainCharacter = Literal["dull", "tension", "burning", "stabbing", "cramping"]
Relevance = Literal["matches_findings", "matches_symptoms", "uncertain_findings", "background"]

# Score = tier + span * p / (p + 1): the bands do not overlap, so the tier decides the order.
_TIER: dict[str, float] = {
    "matches_findings": 2.0,
    "matches_symptoms": 1.0,
    "uncertain_findings": 0.5,
    "background": 0.0,
}
_SPAN: dict[str, float] = {
    "matches_findings": 0.99,
    "matches_symptoms": 0.99,
    "uncertain_findings": 0.49,
    "background": 0.49,
}
DETECTED, UNCERTAIN = "detected", "uncertain"
# An uncertain finding (close to its threshold, or measured with low confidence) is weaker
# evidence than a detected one of the same severity.
_UNCERTAIN_FACTOR = 0.5
# Said wherever an explanation rests on an uncertain finding.
UNCERTAIN_HEDGE = "worth checking by eye"
# A mild finding is weaker evidence than a marked one, but still evidence.
_SEVERITY_FACTOR: dict[str, float] = {"mild": 0.6, "moderate": 0.8, "marked": 1.0}
_DEFAULT_SEVERITY_FACTOR = 0.6
_MAX_FREE_TEXT_CHARS = 200
_YES = {"yes", "true", "y"}
_NO = {"no", "false", "n"}
_UNANSWERED = {"", "unknown", "not answered", "none"}


class FindingLike(Protocol):
    """What `explain` needs from a finding (posture.checks produce these)."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...  # "detected" | "uncertain" | "not_detected" | "not_assessable"
    @property
    def severity(self) -> str: ...  # "none" | "mild" | "moderate" | "marked"
    @property
    def side(self) -> str | None: ...  # for weight_shift: the leg carrying the weight


@dataclass(frozen=True)
class Symptoms:
    """The user's answers; every one is optional and None means "not answered".

    >>> Symptoms.from_dict({"painful_side": "Both", "severe_pain": "no"}).painful_side
    'both'
    """

    painful_side: Side | None = None
    pain_character: PainCharacter | None = None
    severe_pain: bool | None = None
    pain_at_rest: bool | None = None
    pain_on_exertion_relieved_by_rest: bool | None = None
    sudden_onset: bool | None = None
    after_trauma: bool | None = None
    after_hard_training: bool | None = None
    hardened_calf: bool | None = None
    tingling_or_numbness: bool | None = None
    swelling_one_leg: bool | None = None
    calf_warm_red: bool | None = None
    recent_immobilisation_or_surgery: bool | None = None
    breathless_or_chest_pain: bool | None = None
    foot_cold_pale: bool | None = None
    leg_weak_or_paralysed: bool | None = None
    long_sitting_bent_knees: bool | None = None
    thigh_back_pain: bool | None = None
    front_thigh_knee_or_low_back_pain: bool | None = None
    cycling_without_foot_movement: bool | None = None
    heavy_lifting: bool | None = None
    monotonous_training: bool | None = None
    soft_footbeds: bool | None = None
    pain_diffuse: bool | None = None
    restless_legs: bool | None = None
    sports: str | None = None
    footwear: str | None = None

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            kind, choices = _field_kind(f.name)
            ok = (
                (kind == "bool" and isinstance(value, bool))
                or (kind == "choice" and value in choices)
                or (
                    kind == "text" and isinstance(value, str) and len(value) <= _MAX_FREE_TEXT_CHARS
                )
            )
            if not ok:
                raise InputError(_bad_value_message(f.name, value))

    @classmethod
    def from_dict(cls, answers: Mapping[str, object]) -> Symptoms:
        """Build from answers such as a form or JSON file gives them.

        Yes/no answers may be booleans or the words yes/no/true/false; an empty string or
        "unknown" counts as not answered. Unknown keys are refused, so a typo is not silently
        ignored.
        """
        if not isinstance(answers, Mapping):
            raise InputError("Symptom answers must be given as a set of name-value pairs.")
        known = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, object] = {}
        for key, raw in answers.items():
            if key not in known:
                raise InputError(
                    f"'{key}' is not a known symptom question; known ones are: "
                    f"{', '.join(sorted(known))}."
                )
            values[key] = _normalise(key, raw)
        return cls(**values)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        """Every field, None for unanswered; `from_dict` reads it back unchanged."""
        return dataclasses.asdict(self)

    def answered(self) -> dict[str, object]:
        return {k: v for k, v in self.to_dict().items() if v is not None}


_CHOICES: dict[str, tuple[str, ...]] = {
    "painful_side": get_args(Side),
    "pain_character": get_args(PainCharacter),
}
_FREE_TEXT = frozenset({"sports", "footwear"})


def _field_kind(name: str) -> tuple[str, tuple[str, ...]]:
    if name in _CHOICES:
        return "choice", _CHOICES[name]
    if name in _FREE_TEXT:
        return "text", ()
    return "bool", ("yes", "no")


def _bad_value_message(name: str, value: object) -> str:
    kind, choices = _field_kind(name)
    if kind == "text":
        return f"The answer to '{name}' must be text of at most {_MAX_FREE_TEXT_CHARS} characters."
    return (
        f"The answer to '{name}' must be one of {', '.join(choices)} or left empty, not {value!r}."
    )


def _normalise(name: str, raw: object) -> object:
    kind, _ = _field_kind(name)
    if raw is None or isinstance(raw, bool):
        return raw
    if not isinstance(raw, str):
        raise InputError(_bad_value_message(name, raw))
    text = raw.strip()
    if kind == "text":
        return text or None
    lowered = text.lower()
    if lowered in _UNANSWERED:
        return None
    if kind == "bool":
        if lowered in _YES:
            return True
        if lowered in _NO:
            return False
        raise InputError(_bad_value_message(name, raw))
    return lowered  # a choice; __post_init__ checks it is one of the allowed ones


@dataclass(frozen=True)
class Explanation:
    """One possible cause: what was measured, what it may mean, and what to do."""

    id: str
    title: str
    text: str
    relevance: Relevance
    score: float
    based_on_findings: tuple[str, ...]
    based_on_symptoms: tuple[str, ...]
    source: SourcePassage
    advice: str
    more_sources: tuple[SourcePassage, ...] = ()
    # Findings this rests on that were "uncertain", never among ``based_on_findings``.
    based_on_uncertain_findings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "relevance": self.relevance,
            "score": self.score,
            "based_on_findings": list(self.based_on_findings),
            "based_on_uncertain_findings": list(self.based_on_uncertain_findings),
            "based_on_symptoms": list(self.based_on_symptoms),
            "source": self.source.to_dict(),
            "more_sources": [s.to_dict() for s in self.more_sources],
            "advice": self.advice,
        }


@dataclass(frozen=True)
class RedFlag:
    """An answer pattern that means: see a doctor, this soon."""

    id: str
    title: str
    urgency: Urgency
    message: str
    triggered_by: tuple[str, ...]
    source: SourcePassage
    more_sources: tuple[SourcePassage, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "urgency": self.urgency,
            "urgency_label": URGENCY_LABELS[self.urgency],
            "message": self.message,
            "triggered_by": list(self.triggered_by),
            "source": self.source.to_dict(),
            "more_sources": [s.to_dict() for s in self.more_sources],
        }


# --------------------------------------------------------------------------------------------


def explain(
    findings: Sequence[FindingLike], symptoms: Symptoms | None = None
) -> tuple[list[Explanation], list[RedFlag]]:
    """Possible causes (best supported first) and red flags (most urgent first).

    Findings with ids the knowledge base does not know are ignored, so new checks do not
    break this stage.
    """
    answers = symptoms if symptoms is not None else Symptoms()
    detected = _by_id(findings, DETECTED)
    # A finding detected in one recording and uncertain in another counts as detected.
    uncertain = {k: f for k, f in _by_id(findings, UNCERTAIN).items() if k not in detected}
    unassessable = {f.id for f in findings if f.status == "not_assessable"}
    unassessable -= set(detected) | set(uncertain)
    explanations = [
        e
        for cause in CAUSES
        if (e := _evaluate(cause, detected, uncertain, unassessable, answers)) is not None
    ]
    explanations.sort(key=lambda e: e.score, reverse=True)  # stable: ties keep knowledge order
    return explanations, red_flags(answers)


def red_flags(symptoms: Symptoms | None) -> list[RedFlag]:
    """Red flags raised by the answers, most urgent first (one per group)."""
    if symptoms is None:
        return []
    best_by_group: dict[str, tuple[int, int, RedFlag]] = {}
    for order, rule in enumerate(RED_FLAGS):
        met = [alt for alt in rule.when_any if all(_holds(c, symptoms) for c in alt)]
        if not met:
            continue
        triggered: list[str] = []
        for cond in (c for alt in met for c in alt):
            if _condition_label(cond) not in triggered:
                triggered.append(_condition_label(cond))
        triggered += [_condition_label(c) for c in rule.context if _holds(c, symptoms)]
        flag = RedFlag(
            rule.id,
            rule.title,
            rule.urgency,
            rule.message,
            tuple(triggered),
            rule.source,
            rule.more_sources,
        )
        rank = (URGENCY_ORDER.index(rule.urgency), order, flag)
        if rule.group not in best_by_group or rank[:2] < best_by_group[rule.group][:2]:
            best_by_group[rule.group] = rank
    return [flag for _, _, flag in sorted(best_by_group.values(), key=lambda r: r[:2])]


def red_flag_questions() -> tuple[SymptomQuestion, ...]:
    """The questions to ask first: every answer that can raise a red flag, plus the context
    answers named beside them (recent surgery or bed rest for the clot warning).

    Ordered by the most urgent flag each one can raise, then by first use in the knowledge base.
    """
    first_use: dict[str, tuple[int, int]] = {}
    for order, rule in enumerate(RED_FLAGS):
        rank = (URGENCY_ORDER.index(rule.urgency), order)
        for name, _ in (*(c for alt in rule.when_any for c in alt), *rule.context):
            first_use[name] = min(first_use.get(name, rank), rank)
    return tuple(QUESTIONS[name] for name in sorted(first_use, key=lambda n: first_use[n]))


def symptom_questions() -> tuple[SymptomQuestion, ...]:
    """All questions: the red-flag ones first, then the rest in `Symptoms` field order."""
    urgent = red_flag_questions()
    rest = tuple(
        QUESTIONS[f.name] for f in dataclasses.fields(Symptoms) if QUESTIONS[f.name] not in urgent
    )
    return urgent + rest


def combined_advice(explanations: Sequence[Explanation], red_flags: Sequence[RedFlag]) -> list[str]:
    """Plain lines for a report or screen: red flags first (most urgent first), then causes,
    then the disclaimer."""
    lines: list[str] = []
    flags = sorted(red_flags, key=lambda f: URGENCY_ORDER.index(f.urgency))
    for flag in flags:
        lines.append(
            f"{URGENCY_LABELS[flag.urgency]}: {flag.title}. {flag.message} "
            f"(Source: {flag.source.label()}.)"
        )
    if any(f.urgency in ("emergency", "same_day") for f in flags):
        lines.append("Deal with the urgent point above first; the posture notes below can wait.")
    for exp in sorted(explanations, key=lambda e: e.score, reverse=True):
        hedge = f" (uncertain finding, {UNCERTAIN_HEDGE})" if (
            exp.relevance == "uncertain_findings") else ""
        lines.append(f"{exp.title}{hedge}: {exp.advice} (Source: {exp.source.label()}.)")
    if not explanations and not flags:
        lines.append(
            "Nothing in this recording or in your answers matched the calf-pain causes this tool "
            "knows about."
        )
    lines.append(DISCLAIMER)
    return lines


# --------------------------------------------------------------------------------------------


def _by_id(findings: Sequence[FindingLike], status: str) -> dict[str, FindingLike]:
    """Findings with ``status`` by id; if an id repeats, the most severe one counts."""
    best: dict[str, FindingLike] = {}
    for f in findings:
        if f.status != status:
            continue
        if f.id not in best or _severity_factor(f) > _severity_factor(best[f.id]):
            best[f.id] = f
    return best


def _severity_factor(finding: FindingLike) -> float:
    return _SEVERITY_FACTOR.get(finding.severity, _DEFAULT_SEVERITY_FACTOR)


def _holds(cond: Condition, symptoms: Symptoms) -> bool:
    name, wanted = cond
    return getattr(symptoms, name) == wanted


def _condition_label(cond: Condition) -> str:
    name, wanted = cond
    if wanted is True:
        return name
    if wanted is False:
        return f"{name}=no"
    return f"{name}={wanted}"


def _signal_matches(signal: SymptomSignal, symptoms: Symptoms, finding_side: str | None) -> bool:
    answer = getattr(symptoms, signal.symptom)
    if answer is None:
        return False
    if isinstance(signal.value, SideRule):
        if answer not in ("left", "right") or finding_side not in ("left", "right"):
            return False
        same = answer == finding_side
        return same if signal.value is SideRule.SAME else not same
    return answer == signal.value


def _finding_phrase(role: FindingRole, finding: FindingLike, severity: bool = True) -> str:
    side = finding.side if finding.side in ("left", "right") else "one"
    phrase = role.phrase.format(side=side)
    if severity and finding.severity in _SEVERITY_FACTOR:
        phrase += f" ({finding.severity})"
    return phrase


def _joined(phrases: list[str]) -> str:
    return phrases[0] if len(phrases) == 1 else "; ".join(phrases)


def _evaluate(
    cause: Cause,
    detected: Mapping[str, FindingLike],
    uncertain: Mapping[str, FindingLike],
    unassessable: set[str],
    symptoms: Symptoms,
) -> Explanation | None:
    roles = [r for r in cause.findings if r.finding_id in detected]
    maybe = [r for r in cause.findings if r.finding_id in uncertain]
    side_finding = None
    if cause.side_finding:
        side_finding = detected.get(cause.side_finding) or uncertain.get(cause.side_finding)
    finding_side = side_finding.side if side_finding is not None else None
    # Without the finding its side is unknown, so side-relative answers cannot match.
    signals = [s for s in cause.symptoms if _signal_matches(s, symptoms, finding_side)]
    supporting = [s for s in signals if s.weight > 0]

    relevance: Relevance
    if cause.camera_visible:
        if roles:
            relevance = "matches_findings"
        elif maybe:
            relevance = "uncertain_findings"
        elif cause.findings and cause.findings[0].finding_id in unassessable and supporting:
            relevance = "background"
        else:
            return None
    else:
        if not any(s.brings_in for s in signals):
            return None
        relevance = "matches_findings" if roles else "matches_symptoms"

    points = sum(r.weight * _severity_factor(detected[r.finding_id]) for r in roles)
    points += sum(
        r.weight * _UNCERTAIN_FACTOR * _severity_factor(uncertain[r.finding_id]) for r in maybe
    )
    points += sum(s.weight for s in supporting)
    score = round(_TIER[relevance] + _SPAN[relevance] * points / (points + 1.0), 3)

    parts: list[str] = []
    possibly = _joined([_finding_phrase(r, uncertain[r.finding_id], False) for r in maybe])
    if roles and cause.camera_visible:
        measured = "; ".join(_finding_phrase(r, detected[r.finding_id]) for r in roles)
        parts.append(f"The camera measured {measured}.")
        if maybe:
            parts.append(
                f"It may also have seen {possibly}, but that reading is uncertain and "
                f"{UNCERTAIN_HEDGE}."
            )
        if len(roles) >= 2 and cause.combination_note:
            parts.append(cause.combination_note)
    elif relevance == "uncertain_findings":
        parts.append(
            f"The camera possibly saw {possibly}, but the measurement was close to its "
            f"threshold or less reliable than usual, so this may not apply and is "
            f"{UNCERTAIN_HEDGE}."
        )
    elif relevance == "background":
        parts.append(
            "The camera could not check this in this recording; it would need "
            f"{cause.needs_view}. It is listed because your answers fit it."
        )
    parts.append(cause.meaning)
    if not cause.camera_visible:
        parts += [r.note for r in roles if r.note]
        if maybe:
            parts.append(
                f"The camera may also have seen {possibly}, but that reading is uncertain and "
                f"{UNCERTAIN_HEDGE}."
            )
    for s in signals:
        parts.append(
            s.note.format(painful_side=symptoms.painful_side, finding_side=finding_side or "other")
        )

    return Explanation(
        id=cause.id,
        title=cause.title,
        text=" ".join(parts),
        relevance=relevance,
        score=score,
        based_on_findings=tuple(r.finding_id for r in roles),
        based_on_symptoms=tuple(
            _condition_label(
                (s.symptom, symptoms.painful_side if isinstance(s.value, SideRule) else s.value)
            )  # type: ignore[arg-type]
            for s in supporting
        ),
        source=cause.source,
        advice=cause.advice,
        more_sources=cause.more_sources,
        based_on_uncertain_findings=tuple(r.finding_id for r in maybe),
    )
