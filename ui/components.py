"""Reusable Streamlit pieces: finding cards, red flags, explanations, problem boxes.

They show what the engine reported; labels come from ``reports.wording`` so the screen and
the PDF say the same thing.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from reports.verdicts import CheckVerdict, nobody_in_view, step_title
from reports.wording import (
    CONFIDENCE_MEANING,
    DISCLAIMER,
    FLAGGED_STATUSES,
    SEVERITY_MEANING,
    STATUS_LABELS,
    UNCERTAIN_MEANING,
    UNCERTAIN_NOTE,
    VIEW_LABELS,
    camera_line,
    camera_notes,
    explanation_title,
    finding_title,
    fmt_number,
    measurement_label,
    measurement_unit,
    red_flag_text,
    severity_text,
    side_label,
    sorted_explanations,
    sorted_findings,
    summary_parts,
    text_of,
    third_person,
)

# Seen: red; uncertain (possibly present): orange, never the colour of a seen finding.
STATUS_COLOURS = {
    "detected": "red",
    "uncertain": "orange",
    "not_detected": "green",
    "not_assessable": "gray",
}


def problem(message: str) -> None:
    """A problem the user can act on (bad file, no person, wrong view)."""
    st.error(message, icon=":material/error:")


def red_flags_box(red_flags: list[Any], *, heading: str = "See a doctor first") -> None:
    """Red flags: always first and prominent; nothing shown when there are none."""
    if not red_flags:
        return
    lines = []
    for item in red_flags:
        title, body = red_flag_text(item)
        lines.append(f"- **{title}** {body}" if title else f"- **{body}**")
    st.error(f"#### {heading}\n" + "\n".join(lines), icon=":material/emergency:")


def explanations_section(explanations: list[Any], *, clinician: bool = False) -> None:
    """The engine's explanations, best supported first; ``clinician`` writes them about the
    patient (third person) instead of to them."""
    if not explanations:
        return
    st.subheader("What this may mean")
    st.caption("From the source document on calf pain. These are possible links, not a diagnosis.")
    for item in sorted_explanations(explanations):
        _, body = text_of(item)
        title = explanation_title(item)
        with st.expander(title or "Explanation", expanded=True):
            st.write(third_person(body) if clinician else body)


def finding_card(
    finding: dict[str, Any], thumbnails: list[tuple[str, Any]] | None = None, key: str = ""
) -> None:
    status = finding.get("status", "")
    colour = STATUS_COLOURS.get(status, "gray")
    with st.container(border=True, key=f"card-{key}-{finding.get('id')}"):
        head, badge = st.columns([4, 1.3])
        head.markdown(f"**{finding_title(finding)}**")
        badge.markdown(f":{colour}-badge[{STATUS_LABELS.get(status, status)}]")
        if finding.get("message"):
            st.write(finding["message"])
        if status == "uncertain":
            st.caption(f":orange[{UNCERTAIN_NOTE}]")
        if status != "not_assessable":
            cols = st.columns(4)
            unit = finding.get("unit")
            shown = severity_text(finding, hedged=True) if status in FLAGGED_STATUSES else ""
            cols[0].metric("Severity", shown or "—")
            cols[1].metric("Side", side_label(finding.get("side")) or "—")
            cols[2].metric(
                "Measured",
                fmt_number(finding.get("value"), unit),
                help=f"Threshold: {fmt_number(finding.get('threshold'), unit)}",
            )
            confidence = finding.get("confidence")
            cols[3].metric(
                "Confidence",
                "—" if confidence is None else f"{100 * float(confidence):.0f} %",
            )
            if finding.get("threshold") is not None:
                st.caption(f"Threshold: {fmt_number(finding.get('threshold'), unit)}")
        elif finding.get("view_required"):
            views = " or ".join(VIEW_LABELS.get(v, v) for v in finding["view_required"])
            st.caption(f"Needs a recording with the camera view: {views}.")
        if thumbnails:
            evidence_pictures(thumbnails, key=f"{key}-{finding.get('id')}")


def evidence_pictures(pictures: list[tuple[str, Any]], key: str = "") -> None:
    """Evidence frames, worst first (the order they come in): the first two large enough to
    read, all of them full width in an expander (click to enlarge)."""
    shown = pictures[:2]
    cols = st.columns(2)  # half the width each: readable, and room for the text beside
    for col, (caption, image) in zip(cols, shown, strict=False):
        col.image(image, caption=caption, width="stretch")
    label = "Enlarge the picture" if len(pictures) == 1 else (
        f"Enlarge the pictures ({len(pictures)}, worst first)")
    with st.expander(label, icon=":material/zoom_in:"):
        for caption, image in pictures:
            st.image(image, caption=caption, width="stretch")


def findings_list(
    report: dict[str, Any], key_frames: list[tuple[str, str, Any]] | None = None, key: str = ""
) -> None:
    findings = sorted_findings(report.get("findings") or [])
    if not findings:
        st.info("No findings were reported for this recording.")
        return
    for finding in findings:
        thumbs = [(cap, img) for fid, cap, img in key_frames or [] if fid == finding.get("id")]
        finding_card(finding, thumbs, key=key)


def summary_line(report: dict[str, Any]) -> None:
    parts = summary_parts(report)
    if parts:
        text = " · ".join(f"{label}: **{value}**" for label, value in parts)
        st.markdown(text[0].upper() + text[1:])
    camera_box(report)
    for message in (report.get("summary") or {}).get("messages") or []:
        st.warning(str(message))


def camera_box(report: dict[str, Any]) -> None:
    """The camera's roll and angle in one line, with the engine's notes folded away."""
    line = camera_line(report)
    if not line:
        return
    notes = camera_notes(report)
    if notes:
        with st.expander(line, icon=":material/videocam:"):
            for note in notes:
                st.caption(note)
    else:
        st.caption(f":material/videocam: {line}")


def measurements_table(report: dict[str, Any]) -> None:
    rows = []
    for name, stats in (report.get("measurements") or {}).items():
        if not isinstance(stats, dict):
            continue
        unit = measurement_unit(name, stats)
        rows.append(
            {
                "measurement": measurement_label(name),
                "median": fmt_number(stats.get("median"), unit),
                "range": (
                    f"{fmt_number(stats.get('p10', stats.get('min')), unit)} to "
                    f"{fmt_number(stats.get('p90', stats.get('max')), unit)}"
                ),
            }
        )
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")


def disclaimer() -> None:
    st.caption(DISCLAIMER)


def nobody_warning(result: Any) -> bool:
    """Say so (a warning, never a success) when nobody was found in a finished analysis;
    True when that is the case, so the caller shows no cards and no downloads."""
    report = getattr(result, "report", None)
    if not nobody_in_view(report):
        return False
    name = getattr(result, "source_name", "") or "this recording"
    messages = " ".join(str(m) for m in ((report or {}).get("summary") or {}).get("messages")
                        or []).replace("No person was found.", "").strip()
    st.warning(
        f"**Nobody was found in {name}**, so nothing could be measured. "
        + (messages or "Record again with the whole body, feet to head, in the picture."),
        icon=":material/person_off:",
    )
    return True


def _seconds(value: Any) -> str:
    return fmt_number(value, "s")


def how_measured_lines(report: dict[str, Any]) -> list[str]:
    """Who was followed and when, frames used, leg swaps corrected, the camera: one line
    each, from the report's summary (read defensively: older reports lack some keys)."""
    summary = report.get("summary") or {}
    lines: list[str] = []
    selection = summary.get("subject_selection")
    people = summary.get("people_seen")
    who = str(selection) if selection else ""
    if isinstance(people, int):
        who = f"{people} {'person' if people == 1 else 'people'} seen. " + who
    if who:
        lines.append(f"**Who was followed:** {who.strip()}")
    segments = [s for s in summary.get("segments") or [] if isinstance(s, dict)]
    source = summary.get("source") or {}
    if source.get("kind") == "image":
        lines.append("**When:** a single photo.")
    elif segments:
        start = min(float(s.get("start_t_s") or 0.0) for s in segments)
        end = max(float(s.get("end_t_s") or 0.0) for s in segments)
        spans = ", ".join(
            f"{_seconds(s.get('start_t_s'))} to {_seconds(s.get('end_t_s'))} "
            f"({VIEW_LABELS.get(s.get('view'), s.get('view'))}, {s.get('activity')})"
            for s in segments[:6]
        )
        total = source.get("duration_s")
        of_total = f" of a {_seconds(total)} recording" if total else ""
        lines.append(f"**When:** from {_seconds(start)} to {_seconds(end)}{of_total}: {spans}.")
    frames = [
        (summary.get("frames_analysed"), "analysed"),
        (summary.get("frames_with_person"), "with a person"),
        (summary.get("frames_of_subject"), "of the person followed"),
        (summary.get("frames_quiet_standing"), "of quiet standing"),
    ]
    shown = [f"{n} {what}" for n, what in frames if isinstance(n, int)]
    if shown:
        lines.append("**Frames used:** " + ", ".join(shown) + ".")
    swaps = summary.get("leg_swaps_corrected")
    if isinstance(swaps, int):
        lines.append(
            f"**Leg swaps corrected:** {swaps} frame{'s' if swaps != 1 else ''} where the pose "
            "model had mixed up the left and right leg (a known side-view fault) were put "
            "right." if swaps else "**Leg swaps corrected:** none were needed."
        )
    view = summary.get("view")
    if view:
        share = summary.get("view_share")
        of = ""
        if isinstance(share, int | float):
            of = f" ({100 * float(share):.0f} % of the frames)"
        lines.append(f"**Camera view:** {VIEW_LABELS.get(view, view)}{of}.")
    camera = summary.get("camera")
    if isinstance(camera, dict):
        roll, off = camera.get("roll_deg"), camera.get("off_axis_deg")
        parts = [
            f"roll {fmt_number(roll, 'deg')}" if roll is not None
            else f"roll {camera.get('roll_source') or 'not measured'}",
            f"{fmt_number(off, 'deg')} off the axis" if off is not None
            else "angle to the axis not measured",
            "landmarks levelled before measuring" if camera.get("corrected")
            else "not levelled",
        ]
        lines.append("**Camera:** " + "; ".join(parts) + ".")
        lines += [f"**Camera note:** {n}" for n in camera_notes(report)]
    engine = summary.get("engine") or {}
    if engine.get("pose_model"):
        lines.append(f"**Pose model:** {engine['pose_model']}; engine {engine.get('version')}.")
    return lines


def how_measured(report: dict[str, Any], key: str = "") -> None:
    """The "how this was measured" panel of one analysis."""
    if not report:
        return
    with st.expander("How this was measured", icon=":material/info:"):
        for line in how_measured_lines(report):
            st.markdown(line)
        st.markdown(f"**Confidence.** {CONFIDENCE_MEANING}")
        st.markdown(f"**Uncertain.** {UNCERTAIN_MEANING}")
        st.markdown(f"**Severity.** {SEVERITY_MEANING}")


# --- the session's verdicts -------------------------------------------------------------------


def verdict_rows(verdicts: list[CheckVerdict]) -> list[dict[str, str]]:
    """One row per check: the session's verdict and the step it rests on."""
    rows = []
    for v in verdicts:
        f = v.finding
        status = v.status
        unit = f.get("unit")
        assessed = status != "not_assessable"
        confidence = f.get("confidence")
        rows.append({
            "check": v.title,
            "verdict": (STATUS_LABELS.get(status, status) if v.recorded else "Not recorded")
            + (" (corrected by the clinician)" if v.corrected else ""),
            "measured": fmt_number(f.get("value"), unit) if assessed else "—",
            "threshold": fmt_number(f.get("threshold"), unit) if assessed else "—",
            "severity": severity_text(f) or "—",
            "confidence": (f"{100 * float(confidence):.0f} %"
                           if assessed and confidence is not None else "—"),
            "from step": step_title(v.step_key) if v.step_key and assessed else "—",
            "other steps": (
                "; ".join(f"{step_title(r.step_key)}: {r.short().lower()}" for r in v.others)
                or "—"
            ) if assessed else str(f.get("message") or v.basis()),
        })
    return rows


def session_verdicts_table(verdicts: list[CheckVerdict]) -> None:
    st.subheader("Session summary")
    st.caption(
        "One verdict per check, from the step that can assess it (the view the check needs; "
        "among several, the most confident reading; a reading past the threshold counts when "
        "its confidence is at least 50 %)."
    )
    st.table(verdict_rows(verdicts), hide_index=True)
