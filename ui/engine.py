"""The app's only door to the engine: call it, and turn every failure into one sentence.

Nothing here measures anything; it calls ``posture.analyse`` / ``posture.live`` and reads
what they return. ``InputError`` becomes its own message; any other exception is logged with
its traceback and becomes a one-line apology, so the page never shows a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import posture
from posture.errors import InputError
from posture.explanations import Symptoms, explain, red_flags
from posture.gait_cycle import strides_csv
from posture.live import LiveAnalyser
from posture.report import measurements_csv
from posture.source import probe

log = logging.getLogger("posture.app")

APOLOGY = (
    "Sorry, something went wrong while analysing this recording. The problem has been logged; "
    "please try again or use another recording."
)


@dataclass
class EngineResult:
    """What the app keeps of one analysis (plain data, safe in st.session_state)."""

    report: dict[str, Any] | None = None
    series: dict[str, list[float]] = field(default_factory=dict)
    csv_text: str = ""
    # One row per stride (a reliable walk seen side-on; just the header otherwise).
    strides_csv: str = ""
    annotated_video: bytes | None = None
    # (finding id or "", caption, RGB image): the frames the findings rest on, angles drawn.
    key_frames: list[tuple[str, str, np.ndarray]] = field(default_factory=list)
    error: str | None = None
    source_name: str = ""
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.report is not None


def _plain_series(series: dict[str, np.ndarray]) -> dict[str, list[float]]:
    """numpy arrays -> lists of floats (NaN kept), so results pickle and chart cheaply."""
    return {name: np.asarray(values, dtype=float).tolist() for name, values in series.items()}


def evidence_times(
    report: dict[str, Any], per_finding: int = 2, limit: int = 6
) -> list[tuple[str, str, float]]:
    """(finding id, caption, t_s) of the evidence frames of seen findings, worst first, then
    of uncertain ones (captioned "possibly": their frames are the ones to check by eye)."""
    from reports.wording import FLAGGED_STATUSES, fmt_number, sorted_findings, worst_first

    picked: list[tuple[str, str, float]] = []
    for finding in sorted_findings(report.get("findings") or []):
        if finding.get("status") not in FLAGGED_STATUSES:
            continue
        for ev in worst_first(finding)[:per_finding]:  # the frame furthest past it first
            t_s = ev.get("t_s")
            if t_s is None:
                continue
            value = fmt_number(ev.get("value"), finding.get("unit"))
            caption = f"{_key_frame_title(finding)}: {value} at {float(t_s):.1f} s"
            picked.append((str(finding.get("id")), caption, float(t_s)))
    return picked[:limit]


def _key_frame_title(finding: dict[str, Any]) -> str:
    from reports.wording import finding_title

    title = finding_title(finding)
    if finding.get("status") == "uncertain":
        return f"{title} (uncertain, possibly present)"
    return title


def read_frames_at(
    video_path: Path, wanted: Iterable[tuple[str, str, float]]
) -> list[tuple[str, str, np.ndarray]]:
    """Frames of a video nearest to the wanted times, read with the engine's reader."""
    wanted = list(wanted)
    if not wanted or not Path(video_path).is_file():
        return []
    from posture.source import open_media

    best: list[tuple[float, np.ndarray | None]] = [(math.inf, None) for _ in wanted]
    with open_media(video_path, max_side_px=800) as src:  # large enough to read
        for frame in src:
            for k, (_, _, t_s) in enumerate(wanted):
                gap = abs(frame.t_s - t_s)
                if gap < best[k][0]:
                    best[k] = (gap, frame.image_rgb.copy())
    return [
        (fid, cap, img)
        for (fid, cap, _), (_, img) in zip(wanted, best, strict=True)
        if img is not None
    ]


def frame_at(video: bytes, t_s: float, max_side_px: int = 480) -> np.ndarray | None:
    """The frame of an (annotated) video shown at ``t_s``, read with the engine's reader,
    decoding only up to it; None when the video cannot be read."""
    from posture.source import open_media

    folder = tempfile.mkdtemp(prefix="posture-frame-")
    path = Path(folder) / "video.mp4"
    best: np.ndarray | None = None
    try:
        path.write_bytes(video)
        with open_media(path, max_side_px=max_side_px) as src:
            for frame in src:
                if best is not None and frame.t_s > t_s + 1e-3:
                    break
                best = frame.image_rgb.copy()
    except Exception:
        log.exception("reading the frame at %.2f s failed", t_s)
        return None
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        with contextlib.suppress(OSError):
            os.rmdir(folder)
    return best


def _is_photo(path: Path) -> bool:
    """Photo or video, as the engine's reader decides it (by content, not extension)."""
    return probe(path).kind == "image"


def _photo_key_frames(annotated: Path, report: dict[str, Any]) -> list[tuple[str, str, np.ndarray]]:
    """The annotated photo is the evidence for every finding it shows."""
    from PIL import Image

    from reports.wording import FLAGGED_STATUSES, sorted_findings

    with Image.open(annotated) as im:
        image = np.asarray(im.convert("RGB"))
    shown = [f for f in sorted_findings(report.get("findings") or [])
             if f.get("status") in FLAGGED_STATUSES]
    if not shown:
        return [("", "Annotated photo", image)]
    return [(str(f.get("id")), _key_frame_title(f), image) for f in shown]


def analyse_file(
    path: str | Path,
    *,
    source_name: str = "",
    symptoms: Any = None,
    progress: Callable[[float], None] | None = None,
    want_video: bool = True,
) -> EngineResult:
    """Analyse a video or photo file; never raises."""
    started = time.monotonic()
    result = EngineResult(source_name=source_name or Path(path).name)
    out_dir = tempfile.mkdtemp(prefix="posture-out-")
    annotated = Path(out_dir) / "annotated.mp4"
    try:
        is_photo = _is_photo(Path(path))
        if is_photo:
            annotated = annotated.with_suffix(".png")
        kwargs: dict[str, Any] = {"symptoms": symptoms, "progress": progress}
        if want_video:
            kwargs["annotated_path"] = annotated
        analysis = posture.analyse(Path(path), **kwargs)
        result.report = analysis.report.to_dict()
        result.series = _plain_series(analysis.series)
        result.csv_text = measurements_csv(analysis.measurements)
        if getattr(analysis, "gait_cycle", None) is not None:
            result.strides_csv = strides_csv(analysis.gait_cycle)
        if annotated.is_file() and annotated.stat().st_size > 0:
            if is_photo:
                result.key_frames = _photo_key_frames(annotated, result.report)
            else:
                result.annotated_video = annotated.read_bytes()
                result.key_frames = read_frames_at(annotated, evidence_times(result.report))
    except InputError as exc:
        result.error = str(exc)
    except MemoryError:
        log.exception("out of memory analysing %s", source_name)
        result.error = "This recording is too large to analyse on this machine; try a shorter clip."
    except Exception:
        log.exception("analysis failed for %s", source_name)
        result.error = APOLOGY
    finally:
        for leftover in Path(out_dir).glob("*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
        with contextlib.suppress(OSError):
            os.rmdir(out_dir)
        result.elapsed_s = time.monotonic() - started
    return result


def _safe_name(filename: str) -> str:
    # Messages from the engine name the file; keep the user's name, minus any path parts.
    name = Path(filename or "upload").name
    cleaned = "".join(c if c.isalnum() or c in "._- " else "_" for c in name).strip()
    return cleaned[-120:] or "upload"


def analyse_upload(
    data: bytes,
    filename: str,
    *,
    symptoms: Any = None,
    progress: Callable[[float], None] | None = None,
) -> EngineResult:
    """Write the upload to a private temp folder, analyse it, and remove it afterwards."""
    folder = tempfile.mkdtemp(prefix="posture-upload-")
    tmp_path = Path(folder) / _safe_name(filename)
    try:
        tmp_path.write_bytes(data)
        return analyse_file(tmp_path, source_name=filename, symptoms=symptoms, progress=progress)
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def make_symptoms(answers: dict[str, Any]) -> Symptoms | None:
    """The engine's Symptoms for questionnaire answers (None when nothing was answered).

    The questionnaire only offers the engine's own fields and choices, so answers that do
    not fit are a bug: ``InputError`` is raised, not hidden (red flags depend on them).
    """
    return Symptoms.from_dict(answers) if answers else None


def make_live_analyser() -> LiveAnalyser | None:
    """A fresh LiveAnalyser, or None (logged) when MediaPipe cannot start here."""
    try:
        return LiveAnalyser()
    except Exception:
        log.exception("LiveAnalyser() failed")
        return None


def red_flags_for(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The engine's red flags for questionnaire answers alone (before any recording)."""
    symptoms = make_symptoms(answers)
    return [] if symptoms is None else [flag.to_dict() for flag in red_flags(symptoms)]


def explain_reports(
    reports: Iterable[dict[str, Any]], answers: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The engine's explanations and red flags for the findings of several reports at once.

    A screening session has three recordings; each finding is read back from the reports
    (nothing is measured again) and handed to ``posture.explanations.explain`` together.
    Returns (explanations, red flags).
    """
    from types import SimpleNamespace

    findings = [
        SimpleNamespace(
            id=f.get("id"),
            status=f.get("status"),
            severity=f.get("severity") or "none",
            side=f.get("side"),
            value=f.get("value"),
            confidence=f.get("confidence"),
        )
        for report in reports
        for f in report.get("findings") or []
    ]
    explanations, flags = explain(findings, make_symptoms(answers))
    return [e.to_dict() for e in explanations], [f.to_dict() for f in flags]


def result_from_live(report: dict[str, Any], frame: np.ndarray | None) -> EngineResult:
    """Keep a live check's verdict as a recorded result: the engine's report of the steady
    window the live analyser judged, and the last annotated camera frame as its key frame."""
    key_frames = [] if frame is None else [("", "Live camera", np.asarray(frame).copy())]
    return EngineResult(report=report, source_name="the live camera", key_frames=key_frames)
