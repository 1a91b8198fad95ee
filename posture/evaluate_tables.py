"""The evaluation as plain text: ``format_table`` for one result, ``format_compare`` for two.

The last line of ``format_table`` is the headline ``knee MAE X.X deg; findings A/B correct``
(tests and docs/accuracy.md parse it); the lines before it are the other summary numbers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from .evaluate_results import (
    GROUPINGS,
    HEEL_STRIKE_WITHIN_S,
    OUTCOMES,
    RIGHT,
    STANCE_WITHIN_PCT,
    STATUSES,
    TOE_OFF_WITHIN_S,
    EvaluationResult,
    ItemResult,
    condition_row,
    event_errors_s,
    grouped,
    limp_counts,
    stance_errors,
    summary,
    within,
)

EVENT_MATCH_NOTE = "found within 0.25 s"
LABEL_WIDTH = 16

# Per-condition table: (key in condition_row, header, width, format)
CONDITION_COLUMNS = (
    ("items", "items", 5, "d"), ("right", "right", 5, "d"), ("uncertain", "uncert", 6, "d"),
    ("refused", "refused", 7, "d"), ("wrong", "wrong", 5, "d"), ("error", "error", 5, "d"),
    ("knee_standing", "stand", 9, ".1f"), ("knee_walk_near", "walk near", 9, ".1f"),
    ("knee_walk_far", "walk far", 9, ".1f"), ("trunk", "MAE", 6, ".1f"),
)
# The side-by-side table has no group headers above its columns.
COMPARE_HEADERS = {"knee_standing": "knee stand", "knee_walk_near": "knee near",
                   "knee_walk_far": "knee far", "trunk": "trunk"}


def _cell(value: float | None, width: int, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return f"{'-':>{width}}"
    return f"{value:>{width}{fmt}}"


def _stats(errors: np.ndarray) -> str:
    if not len(errors):
        return "      -       -    0"
    return f"{np.mean(np.abs(errors)):7.1f} {np.mean(errors):+7.1f} {len(errors):4d}"


def _ms(errors: np.ndarray) -> str:
    return f"{np.mean(np.abs(errors)) * 1000:.0f} ms" if len(errors) else "-"


# ------------------------------------------------------------------ sections


def _measurement_lines(result: EvaluationResult) -> list[str]:
    lines = ["Measurements (error = engine - truth; stills: reported median, walks: mean "
             "per-frame error per leg)",
             f"{'measurement':30} {'view':11} {'posture':20} {'MAE':>7} {'bias':>7} {'n':>4}"]
    groups: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    names: list[str] = []
    walk_abs: list[float] = []
    for r in result.records:
        for m in r.measured:
            name = m.name.replace("_left", "").replace("_right", "")
            if r.activity == "walking":
                name += " (walk)"
                if m.name.startswith("knee"):
                    walk_abs.append(m.abs_error)
            if name not in names:
                names.append(name)
            groups[(name, r.view, r.posture)].append(m.error)
    for name in names:
        keys = sorted(k for k in groups if k[0] == name)
        for key in keys:
            lines.append(f"{name:30} {key[1]:11} {key[2]:20} {_stats(np.array(groups[key]))}")
        if len(keys) > 1:
            all_err = np.concatenate([np.array(groups[k]) for k in keys])
            lines.append(f"{name:30} {'all':11} {'all':20} {_stats(all_err)}")
    if walk_abs:
        lines.append(f"{'knee per-frame |error| (walk)':30} {'side':11} {'all':20} "
                     f"{np.mean(walk_abs):7.1f} {'':7} {len(walk_abs):4d}")
    return lines


def _finding_lines(result: EvaluationResult) -> list[str]:
    lines = ["Findings (rows: expected, columns: engine)",
             f"{'finding':28} {'expected':13} " + " ".join(f"{s:>14}" for s in STATUSES)
             + f" {'other':>6}"]
    findings = result.findings
    for fid in sorted({f.finding for f in findings}):
        for expected in ("detected", "not_detected"):
            rows = [f for f in findings if f.finding == fid and f.expected == expected]
            if not rows:
                continue
            counts = [sum(f.got == s for f in rows) for s in STATUSES]
            lines.append(f"{fid:28} {expected:13} " + " ".join(f"{n:14d}" for n in counts)
                         + f" {len(rows) - sum(counts):6d}")
    for f in findings:
        if f.outcome != RIGHT:
            lines.append(f"  {f.outcome}: {f.file}: {f.finding} expected {f.expected}, "
                         f"got {f.got}")
    for file, fid in result.false_alarms:
        lines.append(f"  false alarm: {file}: {fid} detected on a neutral subject")
    return lines


def _condition_header(compare: bool) -> list[str]:
    pad = " " * LABEL_WIDTH
    if not compare:
        return [f"{pad} {'':5} {'expected findings':^33} {'knee MAE deg':^29} {'trunk':>6}",
                f"{pad} " + " ".join(f"{h:>{w}}" for _, h, w, _ in CONDITION_COLUMNS)]
    titles = [(COMPARE_HEADERS.get(k, h), _pair_width(w)) for k, h, w, _ in CONDITION_COLUMNS]
    return [f"{pad} " + " ".join(f"{title:^{2 * w + 1}}" for title, w in titles),
            f"{pad} " + " ".join(f"{'old':>{w}} {'new':>{w}}" for _, w in titles)]


def _pair_width(width: int) -> int:
    return max(4, width // 2 + 1)


def _condition_lines(result: EvaluationResult) -> list[str]:
    lines = ["By condition. Expected findings: right, uncertain, refused (not assessable),",
             "wrong, error (no analysis or no such finding). Knee MAE: standing, the reported",
             "value per leg; walking, the mean per-frame |error| per clip of the leg nearer",
             "the camera and of the farther one. Trunk MAE: stills and walks (per frame)."]
    lines += _condition_header(compare=False)
    for grouping in GROUPINGS:
        lines.append(f"{grouping[0]}:")
        for label, records in grouped(result.records, grouping).items():
            row = condition_row(records)
            lines.append(f"  {label:{LABEL_WIDTH - 2}} " + " ".join(
                _cell(row[k], w, f) for k, _, w, f in CONDITION_COLUMNS))
    return lines


def _gait_row(records: Sequence[ItemResult]) -> str:
    hs, to = event_errors_s(records, "heel_strike"), event_errors_s(records, "toe_off")
    stance = stance_errors(records)
    ok_stance = [e for e in stance if e is not None]
    cadence = [m.error for r in records for m in r.measured if m.name == "cadence_steps_per_min"]
    hs_in, hs_n = within(records, "heel_strike", HEEL_STRIKE_WITHIN_S)
    to_in, to_n = within(records, "toe_off", TOE_OFF_WITHIN_S)
    st_in = sum(abs(e) <= STANCE_WITHIN_PCT for e in ok_stance)
    return (f"{len(records):5d} {f'{hs_in}/{hs_n}':>9} {_ms(hs):>7} {f'{to_in}/{to_n}':>9} "
            f"{_ms(to):>7} {f'{st_in}/{len(stance)}':>9} "
            f"{_cell(float(np.mean(np.abs(ok_stance))) if ok_stance else math.nan, 7, '.1f')} "
            f"{_cell(float(np.mean(np.abs(cadence))) if cadence else math.nan, 8, '.1f')}")


def _gait_lines(result: EvaluationResult) -> list[str]:
    events = result.events
    total_hs = sum(e.kind == "heel_strike" for e in events)
    if not total_hs:
        return []
    hs, to = result.heel_strike_errors_s(), event_errors_s(result.records, "toe_off")
    lines = [f"Heel strikes: {len(hs)}/{total_hs} {EVENT_MATCH_NOTE}; timing MAE "
             f"{np.mean(np.abs(hs)) * 1000:.0f} ms, bias {np.mean(hs) * 1000:+.0f} ms"
             if len(hs) else f"Heel strikes: 0/{total_hs} found"]
    total_to = sum(e.kind == "toe_off" for e in events)
    if total_to:
        lines.append(f"Toe-offs: {len(to)}/{total_to} found; timing MAE "
                     + (f"{np.mean(np.abs(to)) * 1000:.0f} ms, bias {np.mean(to) * 1000:+.0f} ms"
                        if len(to) else "-"))
    lines.append(f"Unmatched detected events: {result.extra_events}")
    stance = [e for e in stance_errors(result.records) if e is not None]
    if stance:
        lines.append(f"Stance share (engine - truth, points per walk and side): MAE "
                     f"{np.mean(np.abs(stance)):.1f}, bias {np.mean(stance):+.1f}, n {len(stance)}")
    limp = limp_counts(result.records)
    if sum(limp.values()):
        lines.append(f"Limp side: right {limp['right']}, wrong {limp['wrong']}, not named "
                     f"{limp['not_named']} of {sum(limp.values())} limping walks")
    walks = [r for r in result.records if r.activity == "walking"]
    lines += ["", "Gait by condition (walks)",
              f"{'':{LABEL_WIDTH}} {'clips':>5} {'HS<=30ms':>9} {'HS MAE':>7} {'TO<=50ms':>9} "
              f"{'TO MAE':>7} {'stance<=5':>9} {'st. MAE':>7} {'cad. MAE':>8}"]
    for grouping in GROUPINGS:
        lines.append(f"{grouping[0]}:")
        for label, records in grouped(walks, grouping).items():
            lines.append(f"  {label:{LABEL_WIDTH - 2}} {_gait_row(records)}")
    return lines


def summary_lines(result: EvaluationResult) -> list[str]:
    """The closing lines; the last one is the headline."""
    s = summary(result)
    counts = s["outcomes"]

    def deg(x: float | None) -> str:
        return "-" if x is None else f"{x:.1f}"

    hs, to, st = (s["heel_strikes_within_30ms"], s["toe_offs_within_50ms"],
                  s["stance_within_5_points"])
    inside = s.get("refused_within_view_limits", (0, 0))
    lines = []
    if counts["error"]:
        lines.append(f"errors {counts['error']} of {s['findings_total']} expected findings "
                     f"({s['failed_items']} items failed to analyse)")
    lines += [
        "refused inside the view limits (25 deg side, 30 deg front): "
        f"{inside[0]} of {inside[1]} expected findings",
        f"near-leg knee MAE walking {deg(s['knee_near_walking_deg'])} deg per frame; "
        f"standing {deg(s['knee_near_standing_deg'])} deg; where the knee checks judge: "
        f"walking {deg(s.get('knee_near_walking_judged_deg'))}, "
        f"standing {deg(s.get('knee_near_standing_judged_deg'))}",
        f"heel strikes within 30 ms: {hs[0]}/{hs[1]}; toe-offs within 50 ms: {to[0]}/{to[1]}; "
        f"stance share within 5 points: {st[0]}/{st[1]}",
        f"refused {counts['refused']}, uncertain {counts['uncertain']}, wrong {counts['wrong']} "
        f"of {s['findings_total']} expected findings; false alarms on neutral subjects: "
        f"{s['false_alarms_neutral']}",
        f"knee MAE {result.knee_mae_deg:.1f} deg; "
        f"findings {result.findings_correct}/{result.findings_total} correct",
    ]
    return lines


def format_table(result: EvaluationResult) -> str:
    """The evaluation as plain text; the last line is the headline."""
    lines = [f"Evaluation of {result.folder}: {result.items} items", ""]
    lines += _measurement_lines(result) + [""]
    lines += _finding_lines(result) + [""]
    lines += _condition_lines(result) + [""]
    gait = _gait_lines(result)
    if gait:
        lines += gait + [""]
    for file, message in result.failures:
        lines.append(f"  failed: {file}: {message}")
    lines += summary_lines(result)
    return "\n".join(line.rstrip() for line in lines)


# ------------------------------------------------------------------ old against new


def _compare_condition_lines(old: EvaluationResult, new: EvaluationResult) -> list[str]:
    lines = ["By condition, old and new (columns as in the evaluation table)"]
    lines += _condition_header(compare=True)
    for grouping in GROUPINGS:
        lines.append(f"{grouping[0]}:")
        old_groups = grouped(old.records, grouping)
        new_groups = grouped(new.records, grouping)
        labels = list(grouped([*old.records, *new.records], grouping))
        for label in labels:
            a = condition_row(old_groups.get(label, []))
            b = condition_row(new_groups.get(label, []))
            cells = []
            for k, _, w, f in CONDITION_COLUMNS:
                pw = _pair_width(w)
                cells.append(f"{_cell(a[k], pw, f)} {_cell(b[k], pw, f)}")
            lines.append(f"  {label:{LABEL_WIDTH - 2}} " + " ".join(cells))
    return lines


def _compare_summary_lines(old: EvaluationResult, new: EvaluationResult) -> list[str]:
    a, b = summary(old), summary(new)

    def show(value: object) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:.1f}"
        if isinstance(value, (list, tuple)):
            return f"{value[0]}/{value[1]}"
        return str(value)

    rows = [("items", "items"), ("items failed", "failed_items"),
            ("findings right", None), *[(f"findings {k}", k) for k in OUTCOMES if k != RIGHT],
            ("false alarms (neutral)", "false_alarms_neutral"), ("knee MAE deg", "knee_mae_deg"),
            ("knee near, walk deg", "knee_near_walking_deg"),
            ("knee far, walk deg", "knee_far_walking_deg"),
            ("knee near, stand deg", "knee_near_standing_deg"), ("trunk MAE deg", "trunk_mae_deg"),
            ("heel strike MAE ms", "heel_strike_mae_ms"), ("toe-off MAE ms", "toe_off_mae_ms"),
            ("heel strikes <=30 ms", "heel_strikes_within_30ms"),
            ("toe-offs <=50 ms", "toe_offs_within_50ms"),
            ("stance <=5 points", "stance_within_5_points"),
            ("cadence MAE /min", "cadence_mae_steps_per_min")]
    lines = [f"{'':24} {'old':>10} {'new':>10}"]
    for title, key in rows:
        if key is None:
            va = f"{old.findings_correct}/{old.findings_total}"
            vb = f"{new.findings_correct}/{new.findings_total}"
        elif key in OUTCOMES:
            va, vb = show(a["outcomes"][key]), show(b["outcomes"][key])
        else:
            va, vb = show(a[key]), show(b[key])
        lines.append(f"{title:24} {va:>10} {vb:>10}" + ("   *" if va != vb else ""))
    return lines


def _changed_lines(old: EvaluationResult, new: EvaluationResult) -> list[str]:
    before = {(f.file, f.finding): f for f in old.findings}
    after = {(f.file, f.finding): f for f in new.findings}
    lines: list[str] = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        was = f"{a.outcome} ({a.got})" if a else "absent"
        now = f"{b.outcome} ({b.got})" if b else "absent"
        if a is None or b is None or a.outcome != b.outcome:
            expected = (b or a).expected  # type: ignore[union-attr]
            lines.append(f"  {key[0]}: {key[1]} (expected {expected}): {was} -> {now}")
    changed = [f"Expected findings whose outcome changed: {len(lines)}", *lines]
    old_files, new_files = {r.file for r in old.records}, {r.file for r in new.records}
    changed += [f"  only in old: {file}" for file in sorted(old_files - new_files)]
    changed += [f"  only in new: {file}" for file in sorted(new_files - old_files)]
    return changed


def format_compare(old: EvaluationResult, new: EvaluationResult,
                   names: tuple[str, str] = ("", "")) -> str:
    """Two evaluations (e.g. two engine versions) side by side; ``names`` e.g. their files."""
    lines = [f"{which}: {name + ': ' if name else ''}{r.folder} ({r.items} items) {_engine(r)}"
             for which, name, r in (("old", names[0], old), ("new", names[1], new))] + [""]
    lines += _compare_condition_lines(old, new) + [""]
    lines += _compare_summary_lines(old, new) + [""]
    lines += _changed_lines(old, new)
    return "\n".join(line.rstrip() for line in lines)


def _engine(result: EvaluationResult) -> str:
    return " ".join(f"{k} {v}" for k, v in result.engine.items() if v is not None)
