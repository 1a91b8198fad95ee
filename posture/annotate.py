"""Annotated output: skeleton, angle labels and the frames behind each finding, drawn on the
photo or on every frame of the video (H.264 MP4 or VP9 WebM, which browsers play).

Only draws what the engine measured: every number comes from ``Analysis.measurements``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from .atomic import atomic_write_path
from .config import Config
from .errors import InputError
from .landmarks import (
    LEFT_ANKLE,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    SIDE_POINTS,
    SKELETON_EDGES,
)
from .privacy import blur_faces as _blur_faces
from .privacy import face_landmarks_near
from .source import DisplayCopies, Frame, open_media, prefetch
from .video_out import VideoWriter

if TYPE_CHECKING:
    from .pipeline import Analysis

# Long side of annotated videos: sharp enough to read labels, small enough to encode fast.
ANNOTATED_MAX_SIDE_PX = 800
# Annotated videos show at most this many frames a second: smooth to the eye, and a 60 fps
# clip costs half the drawing and encoding.
ANNOTATED_MAX_FPS = 30.0
IMAGE_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
VIDEO_SUFFIXES = {".mp4": "h264", ".webm": "vp9"}

LEFT_COLOUR = (66, 135, 245)  # blue: the subject's left side
RIGHT_COLOUR = (245, 130, 48)  # orange: the subject's right side
MID_COLOUR = (240, 240, 240)
FLAG_COLOUR = (220, 40, 40)
UNCERTAIN_COLOUR = (245, 165, 0)  # amber: an uncertain finding, never drawn as a seen one
TRUNK_COLOUR = (255, 230, 40)  # the measured trunk line (hip centre to shoulder centre)
PLUMB_COLOUR = (255, 255, 255)  # the vertical it is measured from


_LEFT_POINTS = frozenset(SIDE_POINTS["left"].values())
_RIGHT_POINTS = frozenset(SIDE_POINTS["right"].values())


def _colour(a: int, b: int) -> tuple[int, int, int]:
    if a in _LEFT_POINTS and b in _LEFT_POINTS:
        return LEFT_COLOUR
    if a in _RIGHT_POINTS and b in _RIGHT_POINTS:
        return RIGHT_COLOUR
    return MID_COLOUR


def _text(image: np.ndarray, text: str, origin: tuple[int, int], scale: float,
          colour=(255, 255, 255)) -> None:
    thickness = max(1, int(round(scale * 2)))
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 2,
                cv2.LINE_AA)
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thickness,
                cv2.LINE_AA)


# Angle labels: the landmark each is written beside, its name and its colour.
_ANCHORS = {
    "knee_flexion_left_deg": (LEFT_KNEE, "L knee", LEFT_COLOUR),
    "knee_flexion_right_deg": (RIGHT_KNEE, "R knee", RIGHT_COLOUR),
    "trunk_inclination_deg": (LEFT_HIP, "trunk", MID_COLOUR),
    "pelvic_obliquity_deg": (RIGHT_HIP, "pelvis", MID_COLOUR),
}


def _text_box(text: str, origin: tuple[int, int], scale: float) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of ``_text``'s outlined text at ``origin``."""
    thickness = max(1, int(round(scale * 2))) + 2
    (width, height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale,
                                                thickness)
    x, y = origin
    return x, y - height - thickness, x + width + thickness, y + baseline


def place_labels(labels: list[tuple[str, tuple[int, int], Any]], size_px: tuple[int, int],
                 scale: float) -> list[tuple[str, tuple[int, int], Any]]:
    """Move labels (text, origin, colour) down until none covers another, and inside the
    picture: seen from the side, both knees (and both hips) are in nearly the same place.

    >>> place_labels([("L knee +2", (100, 100), 0), ("R knee +5", (102, 101), 0)],
    ...              (640, 480), 0.5)  # doctest: +NORMALIZE_WHITESPACE
    [('L knee +2', (100, 100), 0), ('R knee +5', (102, 122), 0)]
    """
    width_px = size_px[0]
    placed: list[tuple[int, int, int, int]] = []
    out = []
    for text, (x, y), colour in labels:
        _, top, right, _ = _text_box(text, (x, y), scale)
        x = max(0, x - max(0, right - width_px))  # the whole text inside the picture
        y += max(0, -top)
        for _ in range(len(placed) + 1):
            box = _text_box(text, (x, y), scale)
            clash = [b for b in placed if box[0] < b[2] and b[0] < box[2]
                     and box[1] < b[3] and b[1] < box[3]]
            if not clash:
                break
            y = max(b[3] for b in clash) + (box[3] - box[1]) - (box[3] - y) + 1
        placed.append(_text_box(text, (x, y), scale))
        out.append((text, (x, y), colour))
    return out


def _dashed(image: np.ndarray, a: tuple[int, int], b: tuple[int, int], colour: Any,
            thickness: int, dash_px: int) -> None:
    length = float(np.hypot(b[0] - a[0], b[1] - a[1]))
    if length < 1:
        return
    steps = max(1, int(length // dash_px))
    for k in range(0, steps, 2):
        t0, t1 = k / steps, min(1.0, (k + 1) / steps)
        p0 = (int(a[0] + (b[0] - a[0]) * t0), int(a[1] + (b[1] - a[1]) * t0))
        p1 = (int(a[0] + (b[0] - a[0]) * t1), int(a[1] + (b[1] - a[1]) * t1))
        cv2.line(image, p0, p1, colour, thickness, cv2.LINE_AA)


def _midpoint(xy_px: np.ndarray, a: int, b: int) -> np.ndarray | None:
    """The mean of two landmarks, or the one that is there (side-on, one may be masked)."""
    points = [xy_px[i] for i in (a, b) if np.isfinite(xy_px[i]).all()]
    return np.mean(points, axis=0) if points else None


def draw_measured_lines(image: np.ndarray, xy_px: np.ndarray, labels: dict[str, float],
                        line: int) -> None:
    """The lines the angles are measured on, where the angle was measured: the trunk (hip
    centre to shoulder centre) against a dashed vertical from the hip centre, and for each
    knee the dashed hip-to-ankle line its bend (or hyperextension) is measured from."""
    dash = max(6, 3 * line)
    trunk = labels.get("trunk_inclination_deg", np.nan)
    hip = _midpoint(xy_px, LEFT_HIP, RIGHT_HIP)
    shoulder = _midpoint(xy_px, LEFT_SHOULDER, RIGHT_SHOULDER)
    if np.isfinite(trunk) and hip is not None and shoulder is not None:
        h = (int(hip[0]), int(hip[1]))
        s = (int(shoulder[0]), int(shoulder[1]))
        top = (h[0], int(hip[1] - np.hypot(*(shoulder - hip)) * 1.1))
        _dashed(image, h, top, (0, 0, 0), line + 1, dash)  # outlined: seen on light walls
        _dashed(image, h, top, PLUMB_COLOUR, max(1, line - 1), dash)
        cv2.line(image, h, s, TRUNK_COLOUR, line + 1, cv2.LINE_AA)
    for name, (hip_i, ankle_i, colour) in {
        "knee_flexion_left_deg": (LEFT_HIP, LEFT_ANKLE, LEFT_COLOUR),
        "knee_flexion_right_deg": (RIGHT_HIP, RIGHT_ANKLE, RIGHT_COLOUR),
    }.items():
        if not np.isfinite(labels.get(name, np.nan)):
            continue
        if np.isfinite(xy_px[[hip_i, ankle_i]]).all():
            a = tuple(int(v) for v in xy_px[hip_i])
            b = tuple(int(v) for v in xy_px[ankle_i])
            _dashed(image, a, b, colour, max(1, line - 1), dash)


def draw_frame(
    image_rgb: np.ndarray,
    xy_px: np.ndarray,
    labels: dict[str, float],
    banner: list[str],
    flagged: list[str],
    uncertain: Iterable[str] = (),
) -> np.ndarray:
    """A copy of ``image_rgb`` with the skeleton (landmarks already in its pixels), the lines
    the angles are measured on (``draw_measured_lines``), angle labels at the knees and hips,
    a banner at the top, flagged (detected) findings in red and ``uncertain`` ones in amber,
    marked "possibly"."""
    out = image_rgb.copy()
    h, w = out.shape[:2]
    scale = max(0.4, min(w, h) / 900)
    line = max(2, int(round(min(w, h) / 250)))
    for a, b in SKELETON_EDGES:
        if np.isfinite(xy_px[[a, b]]).all():
            pa = tuple(int(v) for v in xy_px[a])
            pb = tuple(int(v) for v in xy_px[b])
            cv2.line(out, pa, pb, _colour(a, b), line, cv2.LINE_AA)
    draw_measured_lines(out, xy_px, labels, line)
    for point in xy_px[11:]:
        if np.isfinite(point).all():
            cv2.circle(out, tuple(int(v) for v in point), line + 1, (255, 255, 255), -1,
                       cv2.LINE_AA)
    wanted = []
    for name, value in labels.items():
        if name in _ANCHORS and np.isfinite(value) and np.isfinite(xy_px[_ANCHORS[name][0]]).all():
            index, label, colour = _ANCHORS[name]
            x, y = (int(v) for v in xy_px[index])
            wanted.append((f"{label} {value:+.0f}", (x + 8, y - 8), colour))
    for text, origin, colour in place_labels(wanted, (w, h), scale * 0.6):
        _text(out, text, origin, scale * 0.6, colour)
    y = int(28 * scale) + 4
    for text in banner:
        _text(out, text, (8, y), scale * 0.6)
        y += int(26 * scale) + 4
    if flagged:
        cv2.rectangle(out, (0, 0), (w - 1, h - 1), FLAG_COLOUR, line * 2)
        for text in flagged:
            _text(out, text, (8, y), scale * 0.6, FLAG_COLOUR)
            y += int(26 * scale) + 4
    for text in uncertain:
        _text(out, uncertain_label(text), (8, y), scale * 0.6, UNCERTAIN_COLOUR)
        y += int(26 * scale) + 4
    return out


def uncertain_label(title: str) -> str:
    """How an uncertain finding is written on a frame (plain ASCII for OpenCV's font).

    >>> uncertain_label("Hollow back")
    'Possibly: Hollow back (uncertain)'
    """
    return f"Possibly: {title} (uncertain)"


def _evidence_times(analysis: Analysis) -> dict[str, tuple[str, list[float]]]:
    """Title -> (status, evidence times) of the detected and the uncertain findings."""
    out: dict[str, tuple[str, list[float]]] = {}
    for finding in analysis.report.findings:
        if finding.status in ("detected", "uncertain"):
            out[finding.title] = (finding.status, [e.t_s for e in finding.evidence])
    return out


def _labels_at(analysis: Analysis, position: int) -> dict[str, float]:
    values = analysis.measurements.values
    names = ("knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg",
             "pelvic_obliquity_deg")
    return {n: float(values[n][position]) for n in names}


def _banner(analysis: Analysis, t_s: float) -> list[str]:
    summary = analysis.report.summary
    view = str(summary["view"]).replace("_", " ")
    when = "" if analysis.pose.kind == "image" else f"  t={t_s:5.2f}s"
    return [f"{view}, {summary['activity']}{when}"]


def annotate_position(analysis: Analysis, image_rgb: np.ndarray, position: int,
                      window_s: float = 0.15, blur_faces: bool = False) -> np.ndarray:
    """Draw sequence position ``position`` of ``analysis`` on ``image_rgb`` (any size);
    ``blur_faces`` blurs the subject's head first (``posture.privacy``)."""
    m = analysis.measurements
    scale = image_rgb.shape[1] / analysis.pose.width_px
    if blur_faces:
        face_xy, face_vis = face_landmarks_near(analysis.pose, position)
        image_rgb = _blur_faces(image_rgb, face_xy * scale, face_vis)
    xy = m.xy_px[position] * scale
    t_s = float(m.t_s[position])
    near = {title: status for title, (status, times) in _evidence_times(analysis).items()
            if any(abs(t - t_s) <= window_s for t in times)}
    flagged = [title for title, status in near.items() if status == "detected"]
    uncertain = [title for title, status in near.items() if status == "uncertain"]
    return draw_frame(image_rgb, xy, _labels_at(analysis, position), _banner(analysis, t_s),
                      flagged, uncertain)


def display_copies(config: Config) -> DisplayCopies:
    """What the pose pass's decoder keeps for ``write_annotated(copies=...)``: frames at the
    annotated video's size and rate, within ``config.speed.display_copies_max_bytes``."""
    return DisplayCopies(ANNOTATED_MAX_SIDE_PX, ANNOTATED_MAX_FPS,
                         config.speed.display_copies_max_bytes)


def write_annotated(analysis: Analysis, source: Any, path: str | Path, config: Config,
                    blur_faces: bool = False, copies: DisplayCopies | None = None) -> None:
    """Write the annotated photo (.png/.jpg/.webp) or video (.mp4/.webm) to ``path``,
    faces blurred when ``blur_faces``. ``copies`` kept by the analysis's decoder
    (``display_copies``) spare decoding the video again when they cover it."""
    path = Path(path)
    suffix = path.suffix.lower()
    is_image = analysis.pose.kind == "image"
    if is_image and suffix not in IMAGE_SUFFIXES:
        raise InputError(f"An annotated photo is saved as {', '.join(IMAGE_SUFFIXES)}, "
                         f"not {suffix or 'no extension'}.")
    if not is_image and suffix not in VIDEO_SUFFIXES:
        raise InputError(f"An annotated video is saved as .mp4 or .webm, not "
                         f"{suffix or 'no extension'}.")
    if isinstance(source, np.ndarray):
        frames = [source]
    elif isinstance(source, (str, Path)):
        frames = None
    else:
        raise InputError("Annotated output needs a file or an image to draw on.")
    if is_image:
        from PIL import Image

        if frames is None:
            with open_media(source, max_side_px=2000) as media:
                frames = [next(iter(media)).image_rgb]
        drawn = annotate_position(analysis, frames[0], 0, blur_faces=blur_faces)
        with atomic_write_path(path) as tmp:
            Image.fromarray(drawn).save(tmp, format=IMAGE_SUFFIXES[suffix])
        return
    _write_video(analysis, Path(source), path, config, VIDEO_SUFFIXES[suffix], blur_faces,
                 copies)


def _annotated_step(frame_index: np.ndarray, fps: float) -> int:
    """Every how many source frames the annotated video shows one: every analysed frame
    when the analysis skipped frames (quiet standing), else every frame, in both cases at
    most ``ANNOTATED_MAX_FPS`` frames a second."""
    diffs = np.diff(np.asarray(frame_index, dtype=int))
    analysed_step = int(np.gcd.reduce(diffs)) if diffs.size and diffs.min() > 0 else 1
    rate = fps / analysed_step
    return analysed_step * max(1, int(np.ceil(rate / ANNOTATED_MAX_FPS - 1e-6)))


def _write_video(analysis: Analysis, source: Path, path: Path, config: Config,
                 codec: str, blur_faces: bool = False,
                 copies: DisplayCopies | None = None) -> None:
    step = _annotated_step(analysis.measurements.frame_index, analysis.info.fps or 30.0)
    kept = copies.frames(every_nth=step) if copies is not None else None
    if kept is not None:
        _draw_video(analysis, kept, path, step, codec, blur_faces)
        return
    with contextlib.ExitStack() as stack:
        media = stack.enter_context(open_media(
            source, max_side_px=ANNOTATED_MAX_SIDE_PX, max_duration_s=config.max_duration_s))
        # Decoding in a thread overlaps drawing and encoding; on an error the thread stops
        # before the media closes.
        frames = stack.enter_context(contextlib.closing(
            prefetch(media.frames(every_nth=step, for_display=True))))
        _draw_video(analysis, frames, path, step, codec, blur_faces)


def _draw_video(analysis: Analysis, frames: Iterable[Frame], path: Path, step: int,
                codec: str, blur_faces: bool) -> None:
    fps = (analysis.info.fps or 30.0) / step
    writer = None
    try:
        # Drawing in a thread overlaps encoding (OpenCV and x264 both release the GIL).
        with contextlib.closing(prefetch(_drawn(analysis, frames, blur_faces))) as drawn:
            for frame in drawn:
                if writer is None:
                    h, w = frame.image_rgb.shape[:2]
                    writer = VideoWriter(path, fps, w, h, codec=codec).__enter__()
                writer.write(frame.image_rgb, frame.t_s)
    except BaseException as err:
        if writer is not None:
            writer.__exit__(type(err), err, err.__traceback__)
        raise
    if writer is not None:
        writer.__exit__(None, None, None)


def _drawn(analysis: Analysis, frames: Iterable[Frame], blur_faces: bool) -> Iterator[Frame]:
    """``frames`` with the analysis drawn on them; frames the analysis skipped show the
    nearest analysed frame's skeleton."""
    position_of = {int(f): i for i, f in enumerate(analysis.measurements.frame_index)}
    position = 0
    for frame in frames:
        position = position_of.get(frame.index, position)
        yield Frame(frame.index, frame.t_s,
                    annotate_position(analysis, frame.image_rgb, position,
                                      blur_faces=blur_faces))
