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
from posture.config import Config
from posture.corrections import CORRECTED_LABEL as CORRECTED_LABEL
from posture.corrections import (
    LandmarkCorrection,
    merge_corrections,
    plumb_line_x_px,
    reanalyse,
    three_point_angle_deg,
)
from posture.errors import InputError
from posture.explanations import Symptoms, explain, red_flags
from posture.gait_cycle import strides_csv
from posture.live import LiveAnalyser
from posture.pose import PoseSequence
from posture.report import measurements_csv
from posture.source import MediaInfo, probe

log = logging.getLogger("posture.app")

APOLOGY = (
    "Sorry, something went wrong while analysing this recording. The problem has been logged; "
    "please try again or use another recording."
)


# Pictures kept for reviewing a video frame by frame: at most this many frames (evenly
# spread over the recording), this long side (the review shows them ~340 px wide), this
# JPEG quality: 15-30 kB a frame, so a recording costs at most ~9 MB of memory however
# long it is (measured on 2 busy cores: 230 frames of a 1768 x 994 walk, 7 MB, decoded
# again in 4 s; 300 of 1394 frames of a 768 x 432 clip, 4.5 MB, 1.4 s).
REVIEW_MAX_FRAMES = 300
REVIEW_MAX_SIDE_PX = 480
REVIEW_PHOTO_MAX_SIDE_PX = 1000
REVIEW_JPEG_QUALITY = 80


@dataclass
class ReviewData:
    """What reviewing and correcting an analysis needs: the landmarks as MediaPipe found
    them (to run the engine again on corrected ones), the landmarks as drawn (cleaned,
    filtered, 33 x 2 px a frame, NaN where not found), and small pictures of the frames."""

    pose: PoseSequence
    info: MediaInfo
    symptoms: Any
    view: str
    landmarks_px: np.ndarray  # (N, 33, 2) drawn landmarks, pixels of the source frame
    # The settings of the first analysis (the stated clothing among them), kept for re-runs.
    config: Config = field(default_factory=Config)
    # Sequence position -> JPEG of that frame, ``picture_scale`` picture px per source px.
    pictures: dict[int, bytes] = field(default_factory=dict)
    picture_scale: float = 1.0
    corrections: list[LandmarkCorrection] = field(default_factory=list)
    # The first analysis, restored by "undo corrections".
    original: dict[str, Any] = field(default_factory=dict)

    @property
    def t_s(self) -> np.ndarray:
        return self.pose.t_s

    @property
    def frame_index(self) -> np.ndarray:
        return self.pose.frame_index

    @property
    def positions(self) -> list[int]:
        """Sequence positions that have a picture, in order (the review slider's stops)."""
        return sorted(self.pictures)


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
    # Frame-by-frame review and landmark correction (None for a live result).
    review: ReviewData | None = None
    # On-image tools kept with the step: kind ("plumb_line", "goniometer") -> payload.
    tools: dict[str, Any] = field(default_factory=dict)

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

    with Image.open(annotated) as im:
        image = np.asarray(im.convert("RGB"))
    return _photo_key_frames_of(image, report)


def _photo_key_frames_of(image: np.ndarray,
                         report: dict[str, Any]) -> list[tuple[str, str, np.ndarray]]:
    from reports.wording import FLAGGED_STATUSES, sorted_findings

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
    clothing: str = "not_stated",
) -> EngineResult:
    """Analyse a video or photo file; never raises. ``clothing``: what the person wears
    on their legs (``Config.clothing_at_knees``)."""
    started = time.monotonic()
    result = EngineResult(source_name=source_name or Path(path).name)
    out_dir = tempfile.mkdtemp(prefix="posture-out-")
    annotated = Path(out_dir) / "annotated.mp4"
    try:
        is_photo = _is_photo(Path(path))
        if is_photo:
            annotated = annotated.with_suffix(".png")
        config = Config(clothing_at_knees=clothing)
        kwargs: dict[str, Any] = {"symptoms": symptoms, "progress": progress, "config": config}
        if want_video:
            kwargs["annotated_path"] = annotated
        analysis = posture.analyse(Path(path), **kwargs)
        result.report = analysis.report.to_dict()
        result.series = _plain_series(analysis.series)
        result.csv_text = measurements_csv(analysis.measurements)
        if getattr(analysis, "gait_cycle", None) is not None:
            result.strides_csv = strides_csv(analysis.gait_cycle)
        result.review = _review_data(Path(path), analysis, symptoms, is_photo, config)
        if annotated.is_file() and annotated.stat().st_size > 0:
            if is_photo:
                result.key_frames = _photo_key_frames(annotated, result.report)
            else:
                result.annotated_video = annotated.read_bytes()
                result.key_frames = read_frames_at(annotated, evidence_times(result.report))
        if result.review is not None:
            result.review.original = _snapshot(result)
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
    clothing: str = "not_stated",
) -> EngineResult:
    """Write the upload to a private temp folder, analyse it, and remove it afterwards."""
    folder = tempfile.mkdtemp(prefix="posture-upload-")
    tmp_path = Path(folder) / _safe_name(filename)
    try:
        tmp_path.write_bytes(data)
        return analyse_file(tmp_path, source_name=filename, symptoms=symptoms, progress=progress,
                            clothing=clothing)
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


# --- review and correction ------------------------------------------------------------------

# Per-frame values drawn as angle labels on a reviewed frame (as on the annotated video).
_DRAWN_VALUES = ("knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg",
                 "pelvic_obliquity_deg")


# Landmarks the editor draws with larger handles: the ones the measurements rest on.
_BIG_HANDLES = (11, 12, 23, 24, 25, 26, 27, 28, 29, 30)


def editor_geometry() -> tuple[list[list[int]], list[str], list[int]]:
    """(skeleton edges, landmark names, landmarks with large handles) for the editor."""
    from posture.landmarks import LANDMARK_NAMES, SKELETON_EDGES

    return [list(e) for e in SKELETON_EDGES], list(LANDMARK_NAMES), list(_BIG_HANDLES)


def _review_positions(pose: PoseSequence) -> list[int]:
    n = len(pose)
    if n <= REVIEW_MAX_FRAMES:
        return list(range(n))
    return sorted({int(round(p)) for p in np.linspace(0, n - 1, REVIEW_MAX_FRAMES)})


def _jpeg(image: np.ndarray) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="JPEG",
                                                      quality=REVIEW_JPEG_QUALITY)
    return buffer.getvalue()


def _review_pictures(path: Path, pose: PoseSequence, is_photo: bool) -> tuple[dict[int, bytes],
                                                                              float]:
    """Small JPEGs of the analysed frames to review (decoded once more from the file, only
    the wanted frames converted), and their scale: picture px per source px."""
    from posture.source import open_media

    positions = _review_positions(pose)
    if not positions:
        return {}, 1.0
    side = REVIEW_PHOTO_MAX_SIDE_PX if is_photo else REVIEW_MAX_SIDE_PX
    position_of = {int(pose.frame_index[p]): p for p in positions}
    wanted_t = np.sort(pose.t_s[positions])
    last = max(position_of)

    def wanted(t_s: float) -> bool:
        k = int(np.searchsorted(wanted_t, t_s))
        return any(abs(wanted_t[j] - t_s) < 1e-4 for j in (k - 1, k) if 0 <= j < len(wanted_t))

    pictures: dict[int, bytes] = {}
    scale = 1.0
    with open_media(path, max_side_px=side) as src:
        # for_display: shrunk before the colour conversion (pictures to look at, not to
        # measure), half the conversion time.
        frames = src.frames(max_side_px=side, convert_if=None if is_photo else wanted,
                            for_display=not is_photo)
        for frame in frames:
            position = position_of.get(int(frame.index))
            if position is not None and frame.image_rgb.size:
                pictures[position] = _jpeg(frame.image_rgb)
                scale = frame.image_rgb.shape[1] / pose.width_px
            if frame.index >= last or is_photo:
                break
    return pictures, scale


def _review_data(path: Path, analysis: Any, symptoms: Any, is_photo: bool,
                 config: Config) -> ReviewData | None:
    """What review needs, or None (logged) when it could not be kept: the analysis itself
    stands without it."""
    try:
        review = ReviewData(
            pose=analysis.pose, info=analysis.info, symptoms=symptoms,
            view=str(analysis.report.summary.get("view")), config=config,
            landmarks_px=np.asarray(analysis.measurements.xy_px, dtype=float).copy(),
        )
        review.pictures, review.picture_scale = _review_pictures(path, analysis.pose, is_photo)
        return review
    except Exception:
        log.exception("keeping the frames for review failed")
        return None


def _snapshot(result: EngineResult) -> dict[str, Any]:
    assert result.review is not None
    return {"report": result.report, "series": result.series, "csv_text": result.csv_text,
            "strides_csv": result.strides_csv, "key_frames": list(result.key_frames),
            "landmarks_px": result.review.landmarks_px}


def review_picture(result: EngineResult, position: int) -> np.ndarray | None:
    """The un-annotated picture of sequence position ``position`` (RGB), or None."""
    from PIL import Image

    review = result.review
    jpeg = None if review is None else review.pictures.get(int(position))
    if jpeg is None:
        return None
    import io

    with Image.open(io.BytesIO(jpeg)) as im:
        return np.asarray(im.convert("RGB"))


def value_at(result: EngineResult, name: str, position: int) -> float:
    """The engine's per-frame value of ``name`` at ``position`` (NaN when missing)."""
    values = result.series.get(name)
    if values is None or not 0 <= position < len(values):
        return math.nan
    value = values[position]
    return float(value) if value is not None else math.nan


def review_frame(result: EngineResult, position: int) -> np.ndarray | None:
    """Position ``position`` drawn as on the annotated video (``posture.annotate``): the
    skeleton, the trunk line against the vertical, each knee's hip-ankle line, and in a
    front or back view the hip line against the horizontal; labels are the engine's values
    at that frame."""
    import cv2

    from posture.annotate import TRUNK_COLOUR, draw_frame
    from posture.landmarks import LEFT_HIP, RIGHT_HIP

    review = result.review
    image = review_picture(result, position)
    if review is None or image is None:
        return None
    xy = review.landmarks_px[position] * review.picture_scale
    labels = {n: value_at(result, n, position) for n in _DRAWN_VALUES}
    view = review.view.replace("_", " ")
    when = "" if review.pose.kind == "image" else f"  t={float(review.t_s[position]):.2f}s"
    drawn = draw_frame(image, xy, labels, [f"{view}{when}"], [])
    if review.view in ("front", "back") and np.isfinite(labels["pelvic_obliquity_deg"]):
        left, right = xy[LEFT_HIP], xy[RIGHT_HIP]
        if np.isfinite(left).all() and np.isfinite(right).all():
            line = max(2, int(round(min(drawn.shape[:2]) / 250)))
            a = (int(left[0]), int(left[1]))
            b = (int(right[0]), int(right[1]))
            cv2.line(drawn, a, b, TRUNK_COLOUR, line + 1, cv2.LINE_AA)
            cv2.line(drawn, a, (b[0], a[1]), (255, 255, 255), 1, cv2.LINE_AA)
    return drawn


def frame_values(result: EngineResult, position: int) -> list[dict[str, str]]:
    """Each measurement's value at ``position``, from the engine's per-frame series."""
    from posture.measurements import MEASUREMENTS, unit_of

    rows = []
    for name, (_, _, description) in MEASUREMENTS.items():
        value = value_at(result, name, position)
        if math.isfinite(value):
            unit = unit_of(name)
            # A share (0-100) has no direction; angles and offsets carry their sign.
            number = f"{value:.1f}" if name.startswith("load_share") else f"{value:+.1f}"
            rows.append({"measurement": description,
                         "value": f"{number}{'°' if unit == 'deg' else ' ' + unit}"})
    return rows


def position_of_time(result: EngineResult, t_s: float) -> int | None:
    """The reviewable position nearest to ``t_s`` (None when nothing can be reviewed)."""
    review = result.review
    if review is None or not review.pictures:
        return None
    positions = review.positions
    return min(positions, key=lambda p: abs(float(review.t_s[p]) - t_s))


def correct_landmarks(result: EngineResult, moved: Iterable[dict[str, Any]]) -> str | None:
    """Run the engine again with landmarks the clinician moved (``moved``: dicts with
    frame_index, landmark, x_px, y_px, original_x_px, original_y_px); the result then holds
    the corrected report, series and landmarks. Returns None, or one sentence saying why
    the correction was not taken."""
    review = result.review
    if review is None or not review.original:
        return "This result has no landmarks to correct."
    try:
        fixes = [LandmarkCorrection.from_dict(m) for m in moved]
        merged = merge_corrections(review.corrections, fixes)
        analysis = reanalyse(review.pose, review.info, merged, config=review.config,
                             symptoms=review.symptoms,
                             original=review.original["report"],
                             original_series=review.original["series"])
        report = analysis.report.to_dict()
    except InputError as exc:
        return str(exc)
    except Exception:
        log.exception("analysing the corrected landmarks failed")
        return "Sorry, the corrected landmarks could not be analysed; the problem has been logged."
    review.corrections = merged
    result.report = report
    result.series = _plain_series(analysis.series)
    result.csv_text = measurements_csv(analysis.measurements)
    result.strides_csv = (strides_csv(analysis.gait_cycle)
                          if analysis.gait_cycle is not None else "")
    review.landmarks_px = np.asarray(analysis.measurements.xy_px, dtype=float).copy()
    if review.pose.kind == "image" and 0 in review.pictures:
        # The photo's evidence picture shows the corrected landmarks and angles.
        from posture.annotate import annotate_position

        picture = review_picture(result, 0)
        if picture is not None:
            result.key_frames = _photo_key_frames_of(annotate_position(analysis, picture, 0),
                                                     report)
    return None


def undo_corrections(result: EngineResult) -> None:
    """Back to the analysis as the engine first made it."""
    review = result.review
    if review is None or not review.original:
        return
    original = review.original
    result.report = original["report"]
    result.series = original["series"]
    result.csv_text = original["csv_text"]
    result.strides_csv = original["strides_csv"]
    result.key_frames = list(original["key_frames"])
    review.landmarks_px = original["landmarks_px"]
    review.corrections = []


def corrections_of(report: dict[str, Any] | None) -> dict[str, Any] | None:
    """The report's ``corrections`` block (None when nothing was corrected)."""
    block = (report or {}).get("corrections")
    return block if isinstance(block, dict) and block.get("landmarks") else None


def goniometer_angle_deg(points_px: Any) -> float | None:
    """The angle at the middle one of three clinician-placed points (engine function);
    None when the points do not make an angle."""
    try:
        a, vertex, b = points_px
        angle = three_point_angle_deg(a, vertex, b)
    except (InputError, TypeError, ValueError):
        return None
    return angle if math.isfinite(angle) else None


def plumb_line_at(result: EngineResult, position: int) -> float | None:
    """Where the plumb line stands at ``position``, source px across (engine function)."""
    review = result.review
    if review is None or not 0 <= position < len(review.landmarks_px):
        return None
    return plumb_line_x_px(review.landmarks_px[position], review.view)


def _finite_xy(point: np.ndarray) -> list[float | None]:
    return [round(float(v), 2) if np.isfinite(v) else None for v in point]


def tool_payload(result: EngineResult, position: int, extra: dict[str, Any]) -> dict[str, Any]:
    """An on-image tool as stored with the step: where (frame, time, picture size in source
    px) plus the tool's own fields (``extra``)."""
    review = result.review
    assert review is not None
    payload = {"frame_index": int(review.frame_index[position]),
               "t_s": round(float(review.t_s[position]), 3),
               "image_size": [int(review.pose.width_px), int(review.pose.height_px)]}
    payload.update(extra)
    return payload


def key_frame_annotation(result: EngineResult) -> dict[str, Any] | None:
    """The first key frame's landmarks, stored with the step so two sessions' key frames can
    be aligned at the feet: {"frame_index", "t_s", "image_size": [w, h] (source px),
    "landmarks_px": 33 x [x, y] (null where not found)}."""
    review = result.review
    if review is None or not result.ok or len(review.landmarks_px) == 0:
        return None
    if review.pose.kind == "image":
        position = 0
    else:
        picked = evidence_times(result.report or {})
        # Side-on, the far side is often hidden: the frames with the most landmarks found.
        counts = np.isfinite(review.landmarks_px).all(axis=2).sum(axis=1)
        found = np.flatnonzero((counts == counts.max()) & (counts > 0))
        if picked:
            t_s = picked[0][2]
            position = int(np.argmin(np.abs(review.t_s - t_s)))
        elif found.size:
            position = int(found[found.size // 2])
        else:
            return None
    payload = tool_payload(result, position, {})
    payload["landmarks_px"] = [_finite_xy(p) for p in review.landmarks_px[position]]
    return payload


def session_annotations(result: EngineResult) -> dict[str, Any]:
    """What is stored with a session step besides its report: the corrections (originals
    and corrected), the on-image tools and the key frame's landmarks."""
    out: dict[str, Any] = {}
    block = corrections_of(result.report)
    if block is not None:
        out["corrections"] = block
    for kind in ("plumb_line", "goniometer"):
        if result.tools.get(kind):
            out[kind] = result.tools[kind]
    key_frame = key_frame_annotation(result)
    if key_frame is not None:
        out["key_frame"] = key_frame
    return out



def draw_tools(image: np.ndarray, annotations: dict[str, Any]) -> np.ndarray:
    """A copy of a stored key frame with the step's plumb line and goniometer drawn on it,
    when they were placed on that frame (their points are source px, scaled to the
    picture by its width over the tool's ``image_size``)."""
    import cv2

    out = np.ascontiguousarray(image[..., :3]).copy()
    h, w = out.shape[:2]
    line = max(2, int(round(min(w, h) / 250)))
    key_frame = (annotations.get("key_frame") or {}).get("frame_index")

    def scale_of(payload: dict[str, Any]) -> float | None:
        size = payload.get("image_size") or []
        if len(size) != 2 or not size[0]:
            return None
        if key_frame is not None and payload.get("frame_index") != key_frame:
            return None  # placed on another frame than the stored picture shows
        return w / float(size[0])

    plumb = annotations.get("plumb_line") or {}
    scale = scale_of(plumb) if plumb else None
    if scale is not None and plumb.get("x_px") is not None:
        x = int(round(float(plumb["x_px"]) * scale))
        cv2.line(out, (x, 0), (x, h - 1), (0, 0, 0), line + 2, cv2.LINE_AA)
        cv2.line(out, (x, 0), (x, h - 1), (255, 255, 255), line, cv2.LINE_AA)
    gonio = annotations.get("goniometer") or {}
    scale = scale_of(gonio) if gonio else None
    points = gonio.get("points_px") or []
    if scale is not None and len(points) == 3:
        pts = [(int(round(p[0] * scale)), int(round(p[1] * scale))) for p in points]
        cv2.polylines(out, [np.array(pts, np.int32)], False, (23, 190, 207), line + 1,
                      cv2.LINE_AA)
        for p in pts:
            cv2.circle(out, p, line * 3, (23, 190, 207), -1, cv2.LINE_AA)
        if gonio.get("angle_deg") is not None:
            text = f"{float(gonio['angle_deg']):.1f} deg"
            origin = (pts[1][0] + 3 * line, pts[1][1] - 3 * line)
            font_scale = max(0.5, min(w, h) / 700)
            cv2.putText(out, text, origin, cv2.FONT_HERSHEY_SIMPLEX, font_scale, (0, 0, 0),
                        line + 2, cv2.LINE_AA)
            cv2.putText(out, text, origin, cv2.FONT_HERSHEY_SIMPLEX, font_scale,
                        (23, 190, 207), line, cv2.LINE_AA)
    return out


def tools_text(annotations: dict[str, Any]) -> list[str]:
    """One line per on-image tool stored with a step."""
    lines = []
    plumb = annotations.get("plumb_line") or {}
    if plumb:
        lines.append(f"Plumb line through {plumb.get('through', 'the ankle')} at "
                     f"{float(plumb.get('t_s') or 0):.2f} s")
    gonio = annotations.get("goniometer") or {}
    if gonio:
        angle = gonio.get("angle_deg")
        lines.append("Goniometer: " + ("no angle" if angle is None else f"{float(angle):.1f}°")
                     + f" at {float(gonio.get('t_s') or 0):.2f} s")
    return lines
