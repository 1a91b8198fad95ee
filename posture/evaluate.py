"""Accuracy on a folder of synthetic subjects with known posture (``truth.json``).

``python -m posture evaluate tests/data/synthetic`` runs the engine on every item and prints
per measurement the mean absolute error (MAE) and bias (engine - truth) by view and posture,
per finding the confusion counts, and the heel-strike timing error. The last line reads
``knee MAE X.X deg; findings A/B correct``. The folder format is docs/synthetic.md.

The headline knee MAE is over side views: for a still, the reported knee flexion (median) of
every leg the engine reports against the truth; for a walk, the mean per-frame error of the
knee flexion series against the truth series of that leg (one number per leg and clip).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError

FORMAT = "posture-synthetic/1"
EVENT_MATCH_S = 0.25  # a detected event farther than this from every true one is unmatched
STATUSES = ("detected", "not_detected", "not_assessable")


@dataclass
class Comparison:
    """One measured value against its truth."""

    file: str
    measurement: str
    view: str
    posture: str
    activity: str
    measured: float
    truth: float

    @property
    def error(self) -> float:
        return self.measured - self.truth


@dataclass
class FindingOutcome:
    file: str
    finding: str
    expected: str
    got: str

    @property
    def correct(self) -> bool:
        return self.expected == self.got


@dataclass
class EventOutcome:
    file: str
    side: str
    kind: str
    truth_t_s: float
    detected_t_s: float | None  # None: missed


@dataclass
class EvaluationResult:
    """Everything compared on one folder."""

    folder: str
    comparisons: list[Comparison] = field(default_factory=list)
    findings: list[FindingOutcome] = field(default_factory=list)
    events: list[EventOutcome] = field(default_factory=list)
    extra_events: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file, message)
    items: int = 0

    def errors(self, measurement: str, **where: str) -> np.ndarray:
        return np.array([c.error for c in self.comparisons if c.measurement == measurement
                         and all(getattr(c, k) == v for k, v in where.items())])

    @property
    def knee_abs_errors_side_deg(self) -> np.ndarray:
        """Side views: |error| of each still's knee, mean per-frame |error| of each walk leg."""
        out = []
        for c in self.comparisons:
            if not (c.measurement.startswith("knee_flexion") and c.view.startswith("side")):
                continue
            if c.activity == "walking":
                if c.measurement.endswith("|abs"):
                    out.append(c.measured)
            else:
                out.append(abs(c.error))
        return np.array(out)

    @property
    def knee_mae_deg(self) -> float:
        e = self.knee_abs_errors_side_deg
        return float(np.mean(e)) if len(e) else float("nan")

    @property
    def findings_correct(self) -> int:
        return sum(f.correct for f in self.findings)

    @property
    def findings_total(self) -> int:
        return len(self.findings)

    def heel_strike_errors_s(self) -> np.ndarray:
        return np.array([e.detected_t_s - e.truth_t_s for e in self.events
                         if e.kind == "heel_strike" and e.detected_t_s is not None])


# ------------------------------------------------------------------ running


def load_truth(folder: str | Path) -> dict[str, Any]:
    path = Path(folder) / "truth.json"
    if not path.is_file():
        raise InputError(f"No truth.json in {folder}.")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise InputError(f"{path} is not valid JSON.") from None
    if doc.get("format") != FORMAT:
        raise InputError(f"{path} is not in the {FORMAT} format.")
    return doc


def _median(report: dict, name: str) -> float | None:
    m = report["measurements"].get(name)
    if not m or m.get("median") is None:
        return None
    value = float(m["median"])
    return value if np.isfinite(value) else None


def _compare_still(item: dict, report: dict, out: EvaluationResult) -> None:
    truth = item["truth"]
    view = item["view"]
    names = ["knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg"]
    if view == "front":
        names = ["pelvic_obliquity_deg", "load_share_right_pct"]
    for name in names:
        measured = _median(report, name)
        if measured is None or truth.get(name) is None:
            continue
        out.comparisons.append(Comparison(item["file"], name, view, item["posture"],
                                          item["activity"], measured, float(truth[name])))


def _compare_series(item: dict, series: dict[str, np.ndarray], out: EvaluationResult) -> None:
    """Per-frame knee and trunk against the truth series: one mean error per leg and clip."""
    truth = item["truth_series"]
    t_true = np.asarray(truth["t_s"], float)
    t = np.asarray(series.get("t_s", []), float)
    for name in ("knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg"):
        if name not in series or name not in truth or not len(t):
            continue
        measured = np.asarray(series[name], float)
        expected = np.interp(t, t_true, np.asarray(truth[name], float))
        ok = np.isfinite(measured) & (t >= t_true[0]) & (t <= t_true[-1])
        if ok.sum() < 5:
            continue
        # The per-leg mean of signed and absolute errors, kept as one comparison whose
        # "measured" is truth + mean error, so MAE/bias tables treat it like a still.
        err = measured[ok] - expected[ok]
        mean_truth = float(np.mean(expected[ok]))
        out.comparisons.append(Comparison(item["file"], name, item["view"], item["posture"],
                                          item["activity"], mean_truth + float(np.mean(err)),
                                          mean_truth))
        out.comparisons.append(Comparison(item["file"], name + "|abs", item["view"],
                                          item["posture"], item["activity"],
                                          float(np.mean(np.abs(err))), 0.0))


def match_events(truth_events: list[dict], detected: list[dict],
                 window_s: float = EVENT_MATCH_S) -> tuple[list[tuple[dict, float | None]], int]:
    """Pair each true event with the nearest unused detected event of the same side and kind.

    >>> pairs, extra = match_events([{"side": "left", "kind": "heel_strike", "t_s": 1.0}],
    ...                             [{"side": "left", "kind": "heel_strike", "t_s": 1.05}])
    >>> round(pairs[0][1], 2), extra
    (1.05, 0)
    """
    used: set[int] = set()
    pairs: list[tuple[dict, float | None]] = []
    for ev in truth_events:
        best, best_dt = None, window_s
        for j, d in enumerate(detected):
            if j in used or d["side"] != ev["side"] or d["kind"] != ev["kind"]:
                continue
            dt = abs(float(d["t_s"]) - float(ev["t_s"]))
            if dt <= best_dt:
                best, best_dt = j, dt
        if best is None:
            pairs.append((ev, None))
        else:
            used.add(best)
            pairs.append((ev, float(detected[best]["t_s"])))
    # A detected event outside the span of the true ones (clip edges) is not counted extra.
    span = [float(e["t_s"]) for e in truth_events]
    lo, hi = (min(span) - window_s, max(span) + window_s) if span else (0.0, -1.0)
    extra = sum(1 for j, d in enumerate(detected)
                if j not in used and lo <= float(d["t_s"]) <= hi)
    return pairs, extra


def _compare_events(item: dict, report: dict, out: EvaluationResult) -> None:
    truth_events = item.get("events") or []
    gait = report.get("gait") or {}
    detected = gait.get("events") or []
    pairs, extra = match_events(truth_events, detected)
    for ev, t in pairs:
        out.events.append(EventOutcome(item["file"], ev["side"], ev["kind"], float(ev["t_s"]), t))
    out.extra_events += extra
    cadence = gait.get("cadence_steps_per_min")
    if cadence is not None and item["truth"].get("cadence_steps_per_min") is not None:
        out.comparisons.append(Comparison(item["file"], "cadence_steps_per_min", item["view"],
                                          item["posture"], item["activity"], float(cadence),
                                          float(item["truth"]["cadence_steps_per_min"])))


def evaluate_folder(path: str | Path,
                    analyse: Callable[[str], Any] | None = None,
                    progress: Callable[[str], None] | None = None) -> EvaluationResult:
    """Run the engine on every item of a synthetic folder and compare with its truth.

    ``analyse`` defaults to ``posture.analyse``; it must return an object with ``.report``
    (a ``Report``) and ``.series`` (dict of per-frame arrays).
    """
    if analyse is None:
        from .pipeline import analyse as engine

        analyse = engine
    doc = load_truth(path)
    result = EvaluationResult(folder=str(path))
    for item in doc["items"]:
        file = Path(path) / item["file"]
        if progress:
            progress(item["file"])
        result.items += 1
        try:
            analysis = analyse(str(file))
        except InputError as err:
            result.failures.append((item["file"], str(err)))
            for fid, expected in item.get("expected_findings", {}).items():
                result.findings.append(FindingOutcome(item["file"], fid, expected, "error"))
            continue
        report = analysis.report.to_dict()
        if item["kind"] == "image":
            _compare_still(item, report, result)
        else:
            _compare_series(item, analysis.series, result)
            _compare_events(item, report, result)
        statuses = {f["id"]: f["status"] for f in report["findings"]}
        for fid, expected in item.get("expected_findings", {}).items():
            result.findings.append(FindingOutcome(item["file"], fid, expected,
                                                  statuses.get(fid, "missing")))
    return result


# ------------------------------------------------------------------ the table


def _stats(errors: np.ndarray) -> str:
    if not len(errors):
        return "      -       -    0"
    return f"{np.mean(np.abs(errors)):7.1f} {np.mean(errors):+7.1f} {len(errors):4d}"


def format_table(result: EvaluationResult) -> str:
    """The evaluation as plain text; the last line is the headline."""
    lines = [f"Evaluation of {result.folder}: {result.items} items", ""]
    lines.append("Measurements (error = engine - truth; stills: reported median, walks: mean "
                 "per-frame error per leg)")
    lines.append(f"{'measurement':30} {'view':11} {'posture':20} {'MAE':>7} {'bias':>7} "
                 f"{'n':>4}")
    groups: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    names: list[str] = []
    for c in result.comparisons:
        if c.measurement.endswith("|abs"):
            continue
        measurement = c.measurement.replace("_left", "").replace("_right", "")
        if c.activity == "walking":
            measurement += " (walk)"
        if measurement not in names:
            names.append(measurement)
        groups[(measurement, c.view, c.posture)].append(c.error)
    for name in names:
        keys = sorted(k for k in groups if k[0] == name)
        all_err = np.concatenate([np.array(groups[k]) for k in keys])
        for key in keys:
            lines.append(f"{name:30} {key[1]:11} {key[2]:20} {_stats(np.array(groups[key]))}")
        if len(keys) > 1:
            lines.append(f"{name:30} {'all':11} {'all':20} {_stats(all_err)}")
    walk_abs = [c.measured for c in result.comparisons if c.measurement.endswith("|abs")
                and c.measurement.startswith("knee")]
    if walk_abs:
        lines.append(f"{'knee per-frame |error| (walk)':30} {'side':11} {'all':20} "
                     f"{np.mean(walk_abs):7.1f} {'':7} {len(walk_abs):4d}")
    lines.append("")
    lines.append("Findings (rows: expected, columns: engine)")
    lines.append(f"{'finding':28} {'expected':13} " + " ".join(f"{s:>14}" for s in STATUSES)
                 + f" {'other':>6}")
    for fid in sorted({f.finding for f in result.findings}):
        for expected in ("detected", "not_detected"):
            rows = [f for f in result.findings if f.finding == fid and f.expected == expected]
            if not rows:
                continue
            counts = [sum(f.got == s for f in rows) for s in STATUSES]
            other = len(rows) - sum(counts)
            lines.append(f"{fid:28} {expected:13} " + " ".join(f"{n:14d}" for n in counts)
                         + f" {other:6d}")
    wrong = [f for f in result.findings if not f.correct]
    for f in wrong:
        lines.append(f"  wrong: {f.file}: {f.finding} expected {f.expected}, got {f.got}")
    lines.append("")
    hs = result.heel_strike_errors_s()
    missed = sum(1 for e in result.events if e.kind == "heel_strike" and e.detected_t_s is None)
    total_hs = sum(1 for e in result.events if e.kind == "heel_strike")
    if total_hs:
        lines.append(
            f"Heel strikes: {total_hs - missed}/{total_hs} found within {EVENT_MATCH_S:.2f} s; "
            f"timing MAE {np.mean(np.abs(hs)) * 1000:.0f} ms, bias {np.mean(hs) * 1000:+.0f} ms"
            if len(hs) else f"Heel strikes: 0/{total_hs} found")
        to = np.array([e.detected_t_s - e.truth_t_s for e in result.events
                       if e.kind == "toe_off" and e.detected_t_s is not None])
        total_to = sum(1 for e in result.events if e.kind == "toe_off")
        if total_to:
            lines.append(f"Toe-offs: {len(to)}/{total_to} found; timing MAE "
                         + (f"{np.mean(np.abs(to)) * 1000:.0f} ms, bias "
                            f"{np.mean(to) * 1000:+.0f} ms" if len(to) else "-"))
        lines.append(f"Unmatched detected events: {result.extra_events}")
        lines.append("")
    for file, message in result.failures:
        lines.append(f"  failed: {file}: {message}")
    lines.append(f"knee MAE {result.knee_mae_deg:.1f} deg; "
                 f"findings {result.findings_correct}/{result.findings_total} correct")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """``python -m posture evaluate DIR``: print the table; status 1 if any finding is wrong."""
    parser = argparse.ArgumentParser(prog="python -m posture evaluate")
    parser.add_argument("folder")
    args = parser.parse_args(argv)
    result = evaluate_folder(args.folder,
                             progress=lambda name: print(f"  {name}", file=sys.stderr))
    print(format_table(result))
    return 0 if result.findings_correct == result.findings_total else 1
