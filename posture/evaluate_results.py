"""The evaluation's results and their summary numbers: no engine, no truth files here.

``posture.evaluate`` runs the engine on a truth folder and fills one ``ItemResult`` per item;
this module classifies the outcomes, buckets the recording conditions and computes the
summary numbers; ``posture.evaluate_tables`` prints them. Everything works on the plain
records, so a result saved with ``--json`` (``EvaluationResult.to_dict``) prints and compares
exactly like a fresh run: ``format_table(EvaluationResult.from_dict(doc))``.

Outcome of one expected finding (truth says ``detected`` or ``not_detected``):

- ``right``: the engine says the same;
- ``uncertain``: the engine says ``uncertain`` (shown as possibly present, never a detection);
- ``refused``: the engine says ``not_assessable``;
- ``wrong``: the engine says the opposite (``detected`` <-> ``not_detected``);
- ``error``: the item failed to analyse, or the report lacks the finding or gives an
  unknown status. Errors are counted apart from refusals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .config import CameraConfig

RESULT_FORMAT = "posture-evaluation/1"

RIGHT, UNCERTAIN, REFUSED, WRONG, ERROR = "right", "uncertain", "refused", "wrong", "error"
OUTCOMES = (RIGHT, UNCERTAIN, REFUSED, WRONG, ERROR)
# Engine statuses, in the order of the confusion table's columns.
STATUSES = ("detected", "uncertain", "not_detected", "not_assessable")

NEUTRAL_GAITS = ("normal", "slow", "fast")
HEEL_STRIKE_WITHIN_S = 0.030
TOE_OFF_WITHIN_S = 0.050
STANCE_WITHIN_PCT = 5.0


def classify(expected: str, got: str) -> str:
    """The outcome class of one expected finding given the engine's status.

    >>> [classify("detected", s) for s in ("detected", "uncertain", "not_assessable",
    ...                                    "not_detected", "error")]
    ['right', 'uncertain', 'refused', 'wrong', 'error']
    """
    if got == expected:
        return RIGHT
    if got == "uncertain":
        return UNCERTAIN
    if got == "not_assessable":
        return REFUSED
    if got in ("detected", "not_detected") and expected in ("detected", "not_detected"):
        return WRONG
    return ERROR


# ------------------------------------------------------------------ condition buckets

INF = math.inf
Buckets = tuple[tuple[str, float, float], ...]  # (label, from, below)
OFF_AXIS_BUCKETS: Buckets = (("0-5", 0, 5), ("5-15", 5, 15), ("15-25", 15, 25),
                             ("25-35", 25, 35), (">=35", 35, INF))
ROLL_BUCKETS: Buckets = (("0-1", 0, 1), ("1-3", 1, 3), ("3-6", 3, 6), (">=6", 6, INF))
HEIGHT_BUCKETS: Buckets = (("<0.6", -INF, 0.6), ("0.6-1.0", 0.6, 1.0), ("1.0-1.4", 1.0, 1.4),
                           (">=1.4", 1.4, INF))
GAIT_GROUPS = ("standing", "normal", "slow", "fast", "limp", "crouch", "hyperext", "stiff")
VIEWS = ("side_left", "side_right", "front")
CLOTHING = ("shorts", "long_trousers", "loose_trousers")
UNKNOWN = "?"


def bucket(value: float | None, buckets: Buckets, absolute: bool = False) -> str:
    """The label of the half-open bucket [from, below) holding ``value`` ("?" if unknown).

    >>> bucket(-5.0, OFF_AXIS_BUCKETS, absolute=True), bucket(1.4, HEIGHT_BUCKETS)
    ('5-15', '>=1.4')
    >>> bucket(0.99, HEIGHT_BUCKETS), bucket(None, ROLL_BUCKETS)
    ('0.6-1.0', '?')
    """
    if value is None or not math.isfinite(float(value)):
        return UNKNOWN
    v = abs(float(value)) if absolute else float(value)
    return next((label for label, lo, hi in buckets if lo <= v < hi), UNKNOWN)


def gait_group(gait: str | None) -> str:
    """limp_left and limp_right count together as ``limp``."""
    if not gait:
        return UNKNOWN
    return "limp" if gait.startswith("limp") else gait


# ------------------------------------------------------------------ the records


@dataclass
class FindingOutcome:
    file: str
    finding: str
    expected: str
    got: str  # the engine's status; "error" (analysis failed) or "missing" (not in the report)

    @property
    def outcome(self) -> str:
        return classify(self.expected, self.got)

    @property
    def correct(self) -> bool:
        return self.outcome == RIGHT


@dataclass
class EventOutcome:
    file: str
    side: str
    kind: str
    truth_t_s: float
    detected_t_s: float | None  # None: missed

    @property
    def error_s(self) -> float | None:
        return None if self.detected_t_s is None else self.detected_t_s - self.truth_t_s


@dataclass
class Measured:
    """One measurement of one item against its truth (error = engine - truth).

    Stills: ``measured`` is the reported median. Walks: the per-frame series against the
    truth series over the frames both cover; ``measured`` and ``truth`` are the means over
    those frames and ``mean_abs_error`` the mean per-frame |error|.
    """

    name: str
    measured: float
    truth: float
    mean_abs_error: float | None = None
    frames: int = 1

    @property
    def error(self) -> float:
        return self.measured - self.truth

    @property
    def abs_error(self) -> float:
        return abs(self.error) if self.mean_abs_error is None else self.mean_abs_error


@dataclass
class ItemResult:
    """Everything compared on one item. ``conditions`` is the normalised conditions object
    (view, off_axis_deg, roll_deg, camera_height_m, distance_m, gait, body, clothing)."""

    file: str
    kind: str  # image | video
    activity: str  # standing | walking
    posture: str
    conditions: dict[str, Any]
    borderline: bool = False
    failure: str | None = None  # why the analysis failed
    findings: list[FindingOutcome] = field(default_factory=list)
    detected: list[str] = field(default_factory=list)  # every finding the engine detected
    refused: list[str] = field(default_factory=list)  # every finding it called not assessable
    measured: list[Measured] = field(default_factory=list)
    events: list[EventOutcome] = field(default_factory=list)
    extra_events: int = 0
    stance_pct: dict[str, dict[str, float | None]] = field(default_factory=dict)  # side ->
    # {"truth", "engine"}
    limp: dict[str, Any] | None = None  # {"truth", "engine", "status"}

    @property
    def view(self) -> str:
        return str(self.conditions.get("view") or UNKNOWN)

    @property
    def neutral(self) -> bool:
        """A subject without any of the postures checked: any detection is a false alarm."""
        if self.activity == "walking":
            return self.conditions.get("gait") in NEUTRAL_GAITS
        return self.posture == "neutral"

    @property
    def near_leg(self) -> str | None:
        """The leg nearer the camera: side_left view -> left leg; None from the front."""
        return {"side_left": "left", "side_right": "right"}.get(self.view)

    def get(self, name: str) -> Measured | None:
        return next((m for m in self.measured if m.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for f in out["findings"] + out["events"]:
            del f["file"]
        for f, outcome in zip(out["findings"], self.findings, strict=True):
            f["outcome"] = outcome.outcome
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ItemResult:
        file = d["file"]
        return cls(
            file=file, kind=d.get("kind", ""), activity=d.get("activity", ""),
            posture=d.get("posture", ""), conditions=dict(d.get("conditions") or {}),
            borderline=bool(d.get("borderline", False)), failure=d.get("failure"),
            findings=[FindingOutcome(file, f["finding"], f["expected"], f["got"])
                      for f in d.get("findings", [])],
            detected=list(d.get("detected", [])),
            refused=list(d.get("refused", [])),
            measured=[Measured(m["name"], m["measured"], m["truth"], m.get("mean_abs_error"),
                               m.get("frames", 1)) for m in d.get("measured", [])],
            events=[EventOutcome(file, e["side"], e["kind"], e["truth_t_s"], e["detected_t_s"])
                    for e in d.get("events", [])],
            extra_events=int(d.get("extra_events", 0)),
            stance_pct=dict(d.get("stance_pct") or {}), limp=d.get("limp"))


def _mean(values: Iterable[float]) -> float:
    v = [x for x in values if x is not None and math.isfinite(x)]
    return float(np.mean(v)) if v else float("nan")


@dataclass
class EvaluationResult:
    """Everything compared on one folder; ``records`` holds one ``ItemResult`` per item."""

    folder: str
    records: list[ItemResult] = field(default_factory=list)
    engine: dict[str, Any] = field(default_factory=dict)

    # --- flat views over the records
    @property
    def items(self) -> int:
        return len(self.records)

    @property
    def findings(self) -> list[FindingOutcome]:
        return [f for r in self.records for f in r.findings]

    @property
    def events(self) -> list[EventOutcome]:
        return [e for r in self.records for e in r.events]

    @property
    def extra_events(self) -> int:
        return sum(r.extra_events for r in self.records)

    @property
    def failures(self) -> list[tuple[str, str]]:
        return [(r.file, r.failure) for r in self.records if r.failure is not None]

    @property
    def false_alarms(self) -> list[tuple[str, str]]:
        """(file, finding) of every detection on a neutral subject."""
        return [(r.file, fid) for r in self.records if r.neutral for fid in r.detected]

    # --- the headline
    @property
    def knee_abs_errors_side_deg(self) -> np.ndarray:
        """Side views: |error| of each still's knee, mean per-frame |error| of each walk leg."""
        return np.array([m.abs_error for r in self.records if r.view.startswith("side")
                         for m in r.measured if m.name.startswith("knee_flexion")])

    @property
    def knee_mae_deg(self) -> float:
        return _mean(self.knee_abs_errors_side_deg)

    @property
    def findings_correct(self) -> int:
        return sum(f.correct for f in self.findings)

    @property
    def findings_total(self) -> int:
        return len(self.findings)

    def outcome_counts(self) -> dict[str, int]:
        return outcome_counts(self.records)

    def heel_strike_errors_s(self) -> np.ndarray:
        return event_errors_s(self.records, "heel_strike")

    # --- JSON
    def to_dict(self) -> dict[str, Any]:
        return {"format": RESULT_FORMAT, "folder": self.folder, "engine": self.engine,
                "summary": summary(self), "items": [r.to_dict() for r in self.records]}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> EvaluationResult:
        if doc.get("format") != RESULT_FORMAT:
            raise ValueError(f"not in the {RESULT_FORMAT} format")
        return cls(str(doc.get("folder", "")), [ItemResult.from_dict(d) for d in doc["items"]],
                   dict(doc.get("engine") or {}))


# ------------------------------------------------------------------ summary numbers


def outcome_counts(records: Sequence[ItemResult]) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for r in records:
        for f in r.findings:
            counts[f.outcome] += 1
    return counts


def beyond_view_limits(record: ItemResult, config: CameraConfig | None = None) -> bool:
    """True when the camera was turned further off the view's axis than the engine's
    documented limit (``CameraConfig``: 25 deg side, 30 deg front or back). There "not
    assessable" is the promised answer, so such refusals are counted apart from the
    refusals the engine should keep few.

    >>> r = ItemResult.from_dict({"file": "a.png", "conditions": {"view": "side_left",
    ...                           "off_axis_deg": -30}})
    >>> beyond_view_limits(r), beyond_view_limits(ItemResult.from_dict({"file": "b.png",
    ...     "conditions": {"view": "front", "off_axis_deg": 30}}))
    (True, False)
    """
    config = config or CameraConfig()
    off_axis = record.conditions.get("off_axis_deg")
    if off_axis is None or not math.isfinite(float(off_axis)):
        return False
    limit = (config.side_max_off_axis_deg if record.view.startswith("side")
             else config.front_max_off_axis_deg)
    return abs(float(off_axis)) > limit


def refusals_within_limits(records: Sequence[ItemResult]) -> tuple[int, int]:
    """(refused, expected findings) over recordings inside the documented view limits."""
    inside = [f for r in records if not beyond_view_limits(r) for f in r.findings]
    return sum(f.outcome == REFUSED for f in inside), len(inside)


def event_errors_s(records: Sequence[ItemResult], kind: str) -> np.ndarray:
    return np.array([e.error_s for r in records for e in r.events
                     if e.kind == kind and e.error_s is not None])


def _knee_judged(record: ItemResult) -> bool:
    return "knee_hyperextension" not in record.refused


def knee_standing_abs(records: Sequence[ItemResult], near_only: bool = False,
                      judged_only: bool = False) -> list[float]:
    """|error| of each reported standing knee (side views only with ``near_only``; with
    ``judged_only``, only where the knee checks gave a verdict: within the documented
    limits of the camera)."""
    out = []
    for r in records:
        if r.activity == "walking" or (judged_only and not _knee_judged(r)):
            continue
        for side in ("left", "right"):
            m = r.get(f"knee_flexion_{side}_deg")
            if m is not None and (not near_only or side == r.near_leg):
                out.append(m.abs_error)
    return out


def knee_walking_abs(records: Sequence[ItemResult], leg: str,
                     judged_only: bool = False) -> list[float]:
    """Mean per-frame |error| of each walk's ``near`` or ``far`` leg (side views)."""
    out = []
    for r in records:
        if r.activity != "walking" or r.near_leg is None or (
                judged_only and not _knee_judged(r)):
            continue
        side = r.near_leg if leg == "near" else ("right" if r.near_leg == "left" else "left")
        m = r.get(f"knee_flexion_{side}_deg")
        if m is not None:
            out.append(m.abs_error)
    return out


def trunk_abs(records: Sequence[ItemResult]) -> list[float]:
    return [m.abs_error for r in records for m in r.measured
            if m.name == "trunk_inclination_deg"]


def within(records: Sequence[ItemResult], kind: str, limit_s: float) -> tuple[int, int]:
    """(true events of ``kind`` found within ``limit_s``, all true events of ``kind``)."""
    errors = [e.error_s for r in records for e in r.events if e.kind == kind]
    return sum(e is not None and abs(e) <= limit_s + 1e-9 for e in errors), len(errors)


def stance_errors(records: Sequence[ItemResult]) -> list[float | None]:
    """Engine - truth stance share (points) per walk and side; None: no engine value."""
    out: list[float | None] = []
    for r in records:
        for side in ("left", "right"):
            pair = r.stance_pct.get(side) or {}
            if pair.get("truth") is None:
                continue
            engine = pair.get("engine")
            out.append(None if engine is None else float(engine) - float(pair["truth"]))
    return out


def limp_counts(records: Sequence[ItemResult]) -> dict[str, int]:
    """Limping walks whose side the engine named right, named wrong, or did not name
    (walks it has no finding for, or refuses to judge, are left out)."""
    counts = {"right": 0, "wrong": 0, "not_named": 0}
    for r in records:
        if not r.limp or not r.limp.get("truth") or \
                r.limp.get("status") in (None, "not_assessable"):
            continue
        engine = r.limp.get("engine")
        key = "not_named" if engine is None else "right" if engine == r.limp["truth"] else "wrong"
        counts[key] += 1
    return counts


def summary(result: EvaluationResult) -> dict[str, Any]:
    """The summary numbers (also written to the JSON)."""
    records = result.records
    counts = outcome_counts(records)
    hs, to = event_errors_s(records, "heel_strike"), event_errors_s(records, "toe_off")
    stance = stance_errors(records)
    cadence = [m.error for r in records for m in r.measured
               if m.name == "cadence_steps_per_min"]

    def nan_none(x: float) -> float | None:
        return None if not math.isfinite(x) else round(x, 3)

    return {
        "items": result.items, "failed_items": len(result.failures),
        "findings_total": result.findings_total, "outcomes": counts,
        "refused_within_view_limits": refusals_within_limits(records),
        "false_alarms_neutral": len(result.false_alarms),
        "knee_mae_deg": nan_none(result.knee_mae_deg),
        "knee_near_walking_deg": nan_none(_mean(knee_walking_abs(records, "near"))),
        "knee_far_walking_deg": nan_none(_mean(knee_walking_abs(records, "far"))),
        "knee_near_standing_deg": nan_none(_mean(knee_standing_abs(records, near_only=True))),
        "knee_near_walking_judged_deg": nan_none(_mean(knee_walking_abs(
            records, "near", judged_only=True))),
        "knee_near_standing_judged_deg": nan_none(_mean(knee_standing_abs(
            records, near_only=True, judged_only=True))),
        "trunk_mae_deg": nan_none(_mean(trunk_abs(records))),
        "heel_strike_mae_ms": nan_none(_mean(np.abs(hs)) * 1000),
        "toe_off_mae_ms": nan_none(_mean(np.abs(to)) * 1000),
        "heel_strikes_within_30ms": within(records, "heel_strike", HEEL_STRIKE_WITHIN_S),
        "toe_offs_within_50ms": within(records, "toe_off", TOE_OFF_WITHIN_S),
        "stance_within_5_points": (sum(e is not None and abs(e) <= STANCE_WITHIN_PCT
                                       for e in stance), len(stance)),
        "stance_mae_points": nan_none(_mean(abs(e) for e in stance if e is not None)),
        "cadence_mae_steps_per_min": nan_none(_mean(np.abs(cadence))),
        "limp_side": limp_counts(records),
    }


# ------------------------------------------------------------------ per-condition rows

Grouping = tuple[str, Callable[[ItemResult], str], tuple[str, ...]]
GROUPINGS: tuple[Grouping, ...] = (
    ("view", lambda r: r.view, VIEWS),
    ("|off-axis| deg", lambda r: bucket(r.conditions.get("off_axis_deg"), OFF_AXIS_BUCKETS,
                                        absolute=True), tuple(b[0] for b in OFF_AXIS_BUCKETS)),
    ("|roll| deg", lambda r: bucket(r.conditions.get("roll_deg"), ROLL_BUCKETS, absolute=True),
     tuple(b[0] for b in ROLL_BUCKETS)),
    ("camera height m", lambda r: bucket(r.conditions.get("camera_height_m"), HEIGHT_BUCKETS),
     tuple(b[0] for b in HEIGHT_BUCKETS)),
    ("gait", lambda r: gait_group(r.conditions.get("gait")), GAIT_GROUPS),
    ("clothing", lambda r: str(r.conditions.get("clothing") or UNKNOWN), CLOTHING),
)


def grouped(records: Sequence[ItemResult], grouping: Grouping) -> dict[str, list[ItemResult]]:
    """Records by the grouping's label, in its order (unknown labels last, sorted)."""
    _, key, order = grouping
    groups: dict[str, list[ItemResult]] = {}
    for r in records:
        groups.setdefault(key(r), []).append(r)
    rank = {label: i for i, label in enumerate(order)}
    return dict(sorted(groups.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def condition_row(records: Sequence[ItemResult]) -> dict[str, float]:
    """The per-condition table's numbers for a group of items."""
    counts = outcome_counts(records)
    return {"items": len(records), **{k: counts[k] for k in OUTCOMES},
            "knee_standing": _mean(knee_standing_abs(records)),
            "knee_walk_near": _mean(knee_walking_abs(records, "near")),
            "knee_walk_far": _mean(knee_walking_abs(records, "far")),
            "trunk": _mean(trunk_abs(records))}
