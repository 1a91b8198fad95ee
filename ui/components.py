"""Reusable Streamlit pieces: finding cards, red flags, explanations, problem boxes.

They show what the engine reported; labels come from ``reports.wording`` so the screen and
the PDF say the same thing.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from reports.wording import (
    DISCLAIMER,
    FLAGGED_STATUSES,
    STATUS_LABELS,
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


def explanations_section(explanations: list[Any]) -> None:
    if not explanations:
        return
    st.subheader("What this may mean")
    st.caption("From the source document on calf pain. These are possible links, not a diagnosis.")
    for item in sorted_explanations(explanations):
        _, body = text_of(item)
        title = explanation_title(item)
        with st.expander(title or "Explanation", expanded=True):
            st.write(body)


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
            cols = st.columns(3)  # thumbnails, not full-width pictures
            for col, (caption, image) in zip(cols, thumbnails, strict=False):
                col.image(image, caption=caption, width="stretch")


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
