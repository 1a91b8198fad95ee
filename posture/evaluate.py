"""Accuracy on a folder of synthetic subjects with known posture (``truth.json``).

``python -m posture evaluate tests/data/synthetic`` runs the engine on every item and prints
per measurement the mean absolute error (MAE) and bias (engine - truth) by view and posture,
per finding the confusion counts, the outcomes and errors per recording condition (view,
off-axis angle, camera roll and height, gait, clothing), the gait-event timing and stance
share, and summary lines; the last line reads ``knee MAE X.X deg; findings A/B correct``.
``--json OUT`` saves every item's outcomes and errors; ``--compare OLD.json`` (or
``python -m posture evaluate-compare OLD.json NEW.json``) shows two runs side by side.
The folder format is docs/synthetic.md; the result records and tables are in
``posture.evaluate_results`` and ``posture.evaluate_tables``.

The headline knee MAE is over side views: for a still, the reported knee flexion (median) of
every leg the engine reports against the truth; for a walk, the mean per-frame error of the
knee flexion series against the truth series of that leg (one number per leg and clip).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError
from .evaluate_results import (
    EvaluationResult,
    EventOutcome,
    FindingOutcome,
    ItemResult,
    Measured,
    bucket,
    classify,
)
from .evaluate_tables import format_compare, format_table

__all__ = ["EvaluationResult", "bucket", "classify", "compare_main", "evaluate_folder",
           "format_compare", "format_table", "item_conditions", "load_result", "main",
           "match_events", "save_result", "stance_from_events", "truth_events"]

FORMAT = "posture-synthetic/1"
EVENT_MATCH_S = 0.25  # a detected event farther than this from every true one is unmatched
SIDES = ("left", "right")
# Gait of the older walks, which carry no "conditions": from their posture.
GAIT_OF_POSTURE = {"normal": "normal", "neutral": "normal", "bent_knee": "crouch",
                   "knee_hyperextension": "hyperext", "stiff_gait": "stiff"}


# ------------------------------------------------------------------ truth


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


def item_conditions(item: dict[str, Any]) -> dict[str, Any]:
    """The item's ``conditions``, completed from its older fields where absent (view, camera
    height and distance, gait from activity/posture, body name, clothing; roll and off-axis
    angle 0).

    >>> c = item_conditions({"view": "side_left", "activity": "walking", "posture": "bent_knee",
    ...                      "camera": {"height_m": 1.1, "distance_m": 4.0},
    ...                      "body": {"name": "m2", "long_trousers": True}})
    >>> c["gait"], c["clothing"], c["off_axis_deg"], c["camera_height_m"]
    ('crouch', 'long_trousers', 0.0, 1.1)
    """
    given = item.get("conditions") or {}
    camera = item.get("camera") or {}
    body = item.get("body") or {}
    truth = item.get("truth") or {}
    if item.get("activity") == "walking":
        limp = truth.get("limp_side") or item.get("limp_side")
        posture = str(item.get("posture", ""))
        gait = f"limp_{limp}" if limp else GAIT_OF_POSTURE.get(posture, posture)
    else:
        gait = "standing"
    clothing = None
    if "long_trousers" in body:
        clothing = "long_trousers" if body["long_trousers"] else "shorts"
    derived = {"view": item.get("view") or camera.get("view"),
               "off_axis_deg": float(camera.get("off_axis_deg", 0.0)),
               "roll_deg": float(camera.get("roll_deg", 0.0)),
               "camera_height_m": camera.get("height_m"), "distance_m": camera.get("distance_m"),
               "gait": gait, "body": body.get("name"), "clothing": clothing}
    return {**derived, **{k: v for k, v in given.items() if v is not None}}


def truth_events(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The true gait events as a list of {side, kind, t_s}. Accepts that list (in the item
    or its truth) or events per foot: {"left": [{"kind", "t_s"}, ...], ...} or
    {"left": {"heel_strike": [t, ...], "toe_off": [...]}, ...}."""
    raw = item.get("events") or (item.get("truth") or {}).get("events") or []
    if isinstance(raw, list):
        return [e for e in raw if e.get("t_s") is not None]
    out = []
    for side, per_foot in raw.items():
        if isinstance(per_foot, dict):
            out += [{"side": side, "kind": kind, "t_s": t} for kind, times in per_foot.items()
                    for t in times]
        else:
            out += [{"side": side, **e} for e in per_foot]
    return sorted(out, key=lambda e: float(e["t_s"]))


def stance_from_events(events: list[dict[str, Any]], cycle_s: float | None = None
                       ) -> dict[str, float]:
    """Stance share (% of the cycle, heel strike to toe-off) per side from events: the median
    over complete strides, else over stances divided by ``cycle_s``.

    >>> stance_from_events([{"side": "left", "kind": "heel_strike", "t_s": 0.0},
    ...                     {"side": "left", "kind": "toe_off", "t_s": 0.62},
    ...                     {"side": "left", "kind": "heel_strike", "t_s": 1.0}])
    {'left': 62.0}
    """
    out = {}
    for side in SIDES:
        strikes = sorted(float(e["t_s"]) for e in events
                         if e["side"] == side and e["kind"] == "heel_strike")
        offs = sorted(float(e["t_s"]) for e in events
                      if e["side"] == side and e["kind"] == "toe_off")
        shares = []
        for a, b in zip(strikes[:-1], strikes[1:], strict=True):
            toe = next((t for t in offs if a < t < b), None)
            if toe is not None:
                shares.append(100 * (toe - a) / (b - a))
        if not shares and cycle_s:
            for a in strikes:
                toe = next((t for t in offs if t > a), None)
                if toe is not None and toe - a < cycle_s:
                    shares.append(100 * (toe - a) / cycle_s)
        if shares:
            out[side] = round(float(np.median(shares)), 2)
    return out


# ------------------------------------------------------------------ one item against its truth


def _median(report: dict, name: str) -> float | None:
    m = report["measurements"].get(name)
    if not m or m.get("median") is None:
        return None
    value = float(m["median"])
    return value if np.isfinite(value) else None


def _compare_still(item: dict, report: dict, record: ItemResult) -> None:
    truth = item["truth"]
    names = ["knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg"]
    if record.view == "front":
        names = ["pelvic_obliquity_deg", "load_share_right_pct"]
    for name in names:
        measured = _median(report, name)
        if measured is None or truth.get(name) is None:
            continue
        record.measured.append(Measured(name, measured, float(truth[name])))


def _compare_series(item: dict, series: dict[str, np.ndarray], record: ItemResult) -> None:
    """Per-frame knee and trunk (side views) or pelvic obliquity (front) against the truth
    series: per leg and clip, the means of the engine's and the truth's values and the mean
    per-frame |error|."""
    truth = item.get("truth_series") or {}
    if "t_s" not in truth:
        return
    t_true = np.asarray(truth["t_s"], float)
    t = np.asarray(series.get("t_s", []), float)
    names = ["knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg"]
    if record.view == "front":
        names = ["pelvic_obliquity_deg"]
    for name in names:
        if name not in series or name not in truth or not len(t):
            continue
        measured = np.asarray(series[name], float)
        expected = np.interp(t, t_true, np.asarray(truth[name], float))
        ok = np.isfinite(measured) & (t >= t_true[0]) & (t <= t_true[-1])
        if ok.sum() < 5:
            continue
        err = measured[ok] - expected[ok]
        mean_truth = float(np.mean(expected[ok]))
        record.measured.append(Measured(name, mean_truth + float(np.mean(err)), mean_truth,
                                        float(np.mean(np.abs(err))), int(ok.sum())))


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


def engine_limp(report: dict) -> tuple[str | None, str | None, str | None]:
    """(finding id, status, limping side) the engine gives for a walk; (None, None, None)
    when it has no finding for it. Read defensively: a ``limp`` finding's side, or a
    ``weight_shift`` finding's ``details.limp_side``, else the leg opposite its ``side``
    (a weight_shift's side is the leg carrying the weight, the limping leg's partner)."""
    findings = {f.get("id"): f for f in report.get("findings") or []}
    finding = findings.get("limp") or findings.get("weight_shift")
    if finding is None:
        return None, None, None
    fid, status = finding.get("id"), finding.get("status")
    if status not in ("detected", "uncertain"):
        return fid, status, None
    side = (finding.get("details") or {}).get("limp_side")
    if side is None and finding.get("side") in SIDES:
        side = finding["side"] if fid == "limp" else \
            ("right" if finding["side"] == "left" else "left")
    return fid, status, side


def _compare_gait(item: dict, report: dict, record: ItemResult) -> None:
    truth = item.get("truth") or {}
    gait = report.get("gait") or {}
    true_events = truth_events(item)
    pairs, record.extra_events = match_events(true_events, gait.get("events") or [])
    record.events = [EventOutcome(record.file, ev["side"], ev["kind"], float(ev["t_s"]), t)
                     for ev, t in pairs]
    cadence = gait.get("cadence_steps_per_min")
    if cadence is not None and truth.get("cadence_steps_per_min") is not None:
        record.measured.append(Measured("cadence_steps_per_min", float(cadence),
                                        float(truth["cadence_steps_per_min"])))
    true_stance = truth.get("stance_pct") or item.get("stance_pct") or \
        stance_from_events(true_events, truth.get("cycle_s"))
    engine_stance = gait.get("stance_phase_pct") or {}
    record.stance_pct = {side: {"truth": float(true_stance[side]),
                                "engine": engine_stance.get(side)}
                         for side in SIDES if true_stance.get(side) is not None}
    gait_label = str(record.conditions.get("gait") or "")
    limp_truth = truth.get("limp_side") or item.get("limp_side") or (
        gait_label[5:] if gait_label.startswith("limp_") else None)
    if limp_truth:
        fid, status, side = engine_limp(report)
        record.limp = {"truth": limp_truth, "finding": fid, "status": status, "engine": side}


def _evaluate_item(folder: Path, item: dict, analyse: Callable[[str], Any]) -> ItemResult:
    record = ItemResult(item["file"], item.get("kind", ""), item.get("activity", ""),
                        item.get("posture", ""), item_conditions(item),
                        bool(item.get("borderline", False)))
    expected = item.get("expected_findings", {})
    try:
        analysis = analyse(str(folder / item["file"]))
    except InputError as err:
        record.failure = str(err)
    except Exception as err:  # an engine bug on one item should not hide the other results
        record.failure = f"internal error: {type(err).__name__}: {err}"
    if record.failure is not None:
        record.findings = [FindingOutcome(record.file, fid, exp, "error")
                           for fid, exp in expected.items()]
        return record
    report = analysis.report.to_dict()
    if record.kind == "image":
        _compare_still(item, report, record)
    else:
        _compare_series(item, analysis.series, record)
        _compare_gait(item, report, record)
    statuses = {f["id"]: f["status"] for f in report["findings"]}
    record.findings = [FindingOutcome(record.file, fid, exp, statuses.get(fid, "missing"))
                       for fid, exp in expected.items()]
    record.detected = [fid for fid, status in statuses.items() if status == "detected"]
    record.refused = [fid for fid, status in statuses.items() if status == "not_assessable"]
    return record


def evaluate_folder(path: str | Path,
                    analyse: Callable[[str], Any] | None = None,
                    progress: Callable[[str], None] | None = None) -> EvaluationResult:
    """Run the engine on every item of a synthetic folder and compare with its truth.

    ``analyse`` defaults to ``posture.analyse`` told what each subject wears on their legs,
    as a clinician would state it (``engine_stating_clothing``); it must return an object
    with ``.report`` (a ``Report``) and ``.series`` (dict of per-frame arrays).
    """
    doc = load_truth(path)
    result = EvaluationResult(folder=str(path), engine=engine_versions())
    for item in doc["items"]:
        if progress:
            progress(item["file"])
        run = analyse or engine_stating_clothing(item_conditions(item).get("clothing"))
        result.records.append(_evaluate_item(Path(path), item, run))
    return result


def engine_stating_clothing(clothing: str | None) -> Callable[[str], Any]:
    """``posture.analyse`` with ``Config.clothing_at_knees`` set to ``clothing`` (an
    item's ``conditions.clothing``; unknown values count as not stated)."""
    from .config import CLOTHING_AT_KNEES, Config
    from .pipeline import analyse

    stated = clothing if clothing in CLOTHING_AT_KNEES else "not_stated"
    config = Config(clothing_at_knees=stated)
    return lambda file: analyse(file, config=config)


# ------------------------------------------------------------------ saved results


def engine_versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    try:
        mediapipe = version("mediapipe")
    except PackageNotFoundError:
        mediapipe = None
    return {"posture": __version__, "mediapipe": mediapipe}


def _finite(value: Any) -> Any:
    """Floats to 4 decimals, NaN and infinities -> None, so the JSON stays standard."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def save_result(result: EvaluationResult, path: str | Path) -> None:
    from .atomic import atomic_write_text

    text = json.dumps(_finite(result.to_dict()), indent=1, allow_nan=False)
    atomic_write_text(path, text + "\n")


def load_result(path: str | Path) -> EvaluationResult:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return EvaluationResult.from_dict(doc)
    except FileNotFoundError:
        raise InputError(f"Evaluation file not found: {path}.") from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise InputError(f"{path} is not an evaluation saved with --json.") from None


# ------------------------------------------------------------------ command line


def main(argv: list[str]) -> int:
    """``python -m posture evaluate DIR [--json OUT] [--compare OLD.json]``: print the table;
    status 1 if any expected finding is not right."""
    parser = argparse.ArgumentParser(prog="python -m posture evaluate")
    parser.add_argument("folder")
    parser.add_argument("--json", metavar="OUT", help="write every item's outcomes here")
    parser.add_argument("--compare", metavar="OLD.json",
                        help="also show this earlier result (saved with --json) beside this one")
    args = parser.parse_args(argv)
    old = load_result(args.compare) if args.compare else None
    result = evaluate_folder(args.folder,
                             progress=lambda name: print(f"  {name}", file=sys.stderr))
    if args.json:
        save_result(result, args.json)
    if old is not None:
        print(format_compare(old, result, (args.compare, args.json or "this run")))
        print()
    print(format_table(result))
    return 0 if result.findings_correct == result.findings_total else 1


def compare_main(argv: list[str]) -> int:
    """``python -m posture evaluate-compare OLD.json NEW.json``: two saved results side by
    side."""
    parser = argparse.ArgumentParser(prog="python -m posture evaluate-compare")
    parser.add_argument("old")
    parser.add_argument("new")
    args = parser.parse_args(argv)
    print(format_compare(load_result(args.old), load_result(args.new), (args.old, args.new)))
    return 0
