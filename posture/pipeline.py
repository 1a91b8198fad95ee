"""The engine's facade: ``analyse`` runs the stages in order.

1. source        ``posture.source``        video, photo or camera frames -> upright ``Frame``s
2. pose          ``posture.pose``          MediaPipe Pose -> ``PoseSequence`` (33 landmarks)
3. subject       ``posture.subject``       one main person when several are in view
4. view          ``posture.view``          side/front/back, standing/walking, per segment
5. measurements  ``posture.measurements``  cleaned, filtered landmarks -> angles and offsets
6. gait          ``posture.gait``          heel strikes, toe-offs, stance phases (walking)
7. checks        ``posture.checks``        one ``Finding`` per postural habit
8. explanations  ``posture.explanations``  findings + symptoms -> causes, red flags first
9. report        ``posture.report``        JSON report, per-frame CSV; ``posture.annotate``
                                            draws the annotated photo or video

>>> analysis = analyse("samples/stand_side_neutral.png")  # doctest: +SKIP
>>> analysis.report.finding("knee_hyperextension").status  # doctest: +SKIP
'not_detected'
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .checks import CheckInput, run_checks
from .config import Config
from .errors import InputError
from .explanations import DISCLAIMER, Symptoms, explain
from .gait import GaitAnalysis, detect_gait
from .landmarks import (
    LEFT_ANKLE,
    LEFT_HEEL,
    LEFT_HIP,
    NOSE,
    RIGHT_ANKLE,
    RIGHT_HEEL,
    RIGHT_HIP,
)
from .measurements import Measurements, clean_landmarks, compute_measurements
from .pose import PoseSequence, estimate_poses
from .report import Report, summarise_measurements
from .source import Frame, MediaInfo, frame_from_array, live_info, open_media, probe
from .subject import SubjectPlan, SubjectSelection, scan_for_subject, select_subject
from .view import ViewEstimate, estimate_view, leg_length_px

Progress = Callable[[float], None]


@dataclass
class Analysis:
    """Everything one run produced. ``report`` is what users see; the rest feeds charts,
    the CSV and the annotated output."""

    report: Report
    measurements: Measurements
    pose: PoseSequence
    view: ViewEstimate
    subject: SubjectSelection
    gait: GaitAnalysis | None
    info: MediaInfo
    still: np.ndarray

    @property
    def series(self) -> dict[str, np.ndarray]:
        return self.measurements.series()


def _prefetch(frames: Iterable[Frame], size: int = 4) -> Iterator[Frame]:
    """Decode ahead in a thread, so decoding overlaps inference (both release the GIL)."""
    q: queue.Queue = queue.Queue(maxsize=size)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for frame in frames:
                if stop.is_set():
                    return
                q.put(frame)
            q.put(done)
        except BaseException as err:  # handed to the consumer, which re-raises it
            q.put(err)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


# Frames are decoded this large when the pose pass follows one subject in a crop, so the
# crop still holds enough pixels for MediaPipe.
CROP_DECODE_MAX_SIDE_PX = 1280


def _open(
    source: Any, config: Config
) -> tuple[MediaInfo, Iterable[Frame], str, Any, SubjectPlan | None]:
    """(info, frames, pose mode, thing to close, subject plan) for a path, an image array
    or frames."""
    if isinstance(source, (str, Path)):
        info = probe(source)
        plan = scan_for_subject(source, info, config) if info.kind == "video" else None
        following = plan is not None and plan.track is not None
        media = open_media(
            source,
            max_side_px=CROP_DECODE_MAX_SIDE_PX if following else config.pose.inference_max_side_px,
            max_duration_s=config.max_duration_s,
        )
        mode = "image" if media.info.kind == "image" else "video"
        return media.info, _prefetch(media), mode, media, plan
    if isinstance(source, np.ndarray):
        frame = frame_from_array(source)
        h, w = frame.image_rgb.shape[:2]
        info = MediaInfo("image", w, h, None, None, 1, 0, None, None)
        return info, [frame], "image", None, None
    frames = list(source)
    if not frames:
        raise InputError("No frames were given to analyse.")
    h, w = frames[0].image_rgb.shape[:2]
    return live_info(w, h), frames, "video", None, None


def _still_frames(xy_px: np.ndarray, t_s: np.ndarray, leg_px: float, config: Config,
                  kind: str) -> np.ndarray:
    """Quiet-standing frames: the hip centre hardly moves, in any direction (a squat or a
    sway does not count as standing still; a lifted, swinging free leg does)."""
    if kind == "image" or len(t_s) < 3:
        return np.ones(len(t_s), dtype=bool)
    if not np.isfinite(leg_px) or leg_px <= 0:
        return np.zeros(len(t_s), dtype=bool)
    hips = (xy_px[:, LEFT_HIP] + xy_px[:, RIGHT_HIP]) / 2
    speed = np.linalg.norm(np.gradient(hips, t_s, axis=0), axis=-1) / leg_px
    return np.isfinite(speed) & (speed <= config.view.still_max_speed_leg_per_s)


def _guidance(pose: PoseSequence, keep: np.ndarray, config: Config) -> list[str]:
    """Plain messages about what the camera could not see."""
    messages: list[str] = []
    if not keep.any():
        return ["No person was found. Make sure the whole body is in the picture and well lit."]
    vis = pose.visibility[keep]
    limit = config.quality.min_visibility
    feet = (vis[:, [LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL]] >= limit).any(axis=1)
    if feet.mean() < 0.5:
        messages.append("The feet are out of frame or hidden in most frames; checks that need "
                        "the ankles are not assessable. Keep the whole body in the picture.")
    if (vis[:, NOSE] >= limit).mean() < 0.5:
        messages.append("The head is out of frame or hidden in most frames.")
    return messages


def analyse(
    source: str | Path | np.ndarray | Iterable[Frame],
    *,
    config: Config | None = None,
    symptoms: Symptoms | None = None,
    annotated_path: str | Path | None = None,
    progress: Progress | None = None,
    blur_faces: bool = False,
) -> Analysis:
    """Analyse a video or photo file, an RGB image array, or a sequence of ``Frame``s.

    Raises ``InputError`` (one plain sentence) for input that cannot be analysed. A
    recording with nobody in it is a valid result: every check is ``not_assessable`` and
    the summary says no person was found. ``blur_faces`` blurs the subject's face in the
    annotated output (``posture.privacy``).
    """
    config = config or Config()
    info, frames, mode, closable, plan = _open(source, config)
    total = info.frame_count or 0
    pose_frames = []
    crop_for = None
    if plan is not None and plan.track is not None:
        def crop_for(t_s: float):
            return plan.crop_box(t_s, info.width_px, info.height_px)
    try:
        for pose_frame in estimate_poses(frames, mode, info.width_px, info.height_px,
                                         config.pose, crop_for):
            pose_frames.append(pose_frame)
            if progress and total:
                progress(min(0.95, len(pose_frames) / total))
    finally:
        if closable is not None:
            closable.close()
    if not pose_frames:
        raise InputError("The file contains no frame that could be decoded.")
    kind = "live" if info.kind == "live" else mode
    pose = PoseSequence.from_frames(pose_frames, info.width_px, info.height_px, kind)
    analysis = analyse_poses(pose, info, config=config, symptoms=symptoms, plan=plan)
    if closable is not None and getattr(closable, "stopped_at_limit", False):
        analysis.report.summary["messages"].append(
            f"Only the first {config.max_duration_s:.0f} s were analysed."
        )
    if annotated_path is not None:
        from .annotate import write_annotated

        write_annotated(analysis, source, annotated_path, config, blur_faces=blur_faces)
    if progress:
        progress(1.0)
    return analysis


def analyse_poses(
    pose: PoseSequence, info: MediaInfo, *, config: Config | None = None,
    symptoms: Symptoms | None = None, plan: SubjectPlan | None = None,
) -> Analysis:
    """Stages 3-9 on landmarks already found (the live path calls this too)."""
    config = config or Config()
    subject = select_subject(pose.xy_px, config.quality)
    masked = pose.xy_px.copy()
    masked[~subject.keep] = np.nan
    view = estimate_view(masked, pose.t_s, config.view, pose.world_m)
    side_view = view.view.startswith("side")
    xy, swaps = clean_landmarks(
        masked, np.where(subject.keep[:, None], pose.visibility, 0.0), pose.t_s,
        config.quality, config.filter, side_view, zero_lag=pose.kind != "live",
    )
    leg_px = leg_length_px(xy)
    measurements = compute_measurements(
        xy, pose.frame_index, pose.t_s, view.per_frame, view.forward_sign, leg_px
    )
    still = _still_frames(xy, pose.t_s, leg_px, config, pose.kind) & subject.keep
    gait = None
    if view.activity == "walking" and side_view:
        gait = detect_gait(xy, pose.t_s, pose.frame_index, view.forward_sign, leg_px,
                           config.gait)
    findings = run_checks(CheckInput(
        measurements, view.view, view.per_frame, view.activity, still, gait, pose.kind, config,
    ))
    explanations, red_flags = explain(findings, symptoms)
    summary_frames = still if view.activity == "standing" and still.any() else None
    summary = {
        "view": view.view,
        "view_share": round(view.view_share, 2),
        "activity": view.activity,
        "person_found": bool(subject.keep.any()),
        "source": {
            "kind": pose.kind, "width_px": info.width_px, "height_px": info.height_px,
            "fps": info.fps, "duration_s": info.duration_s, "codec": info.codec,
            "rotation_deg": info.rotation_deg,
            "file": Path(info.path).name if info.path else None,
        },
        "frames_analysed": len(pose),
        "frames_with_person": int(pose.found.sum()),
        "frames_of_subject": int(subject.keep.sum()),
        "frames_quiet_standing": int(still.sum()),
        "subject_selection": " ".join(
            m for m in ((plan.method if plan and plan.people_seen > 1 else ""), subject.method)
            if m
        ),
        "people_seen": plan.people_seen if plan else None,
        "leg_swaps_corrected": swaps,
        "segments": [
            {"start_t_s": s.start_t_s, "end_t_s": s.end_t_s, "view": s.view,
             "activity": s.activity}
            for s in view.segments
        ],
        "messages": _guidance(pose, subject.keep, config),
        "engine": {"version": __version__, "pose_model": _model_name(config)},
    }
    report = Report(
        summary=summary,
        measurements=summarise_measurements(measurements, summary_frames),
        findings=findings,
        gait=gait,
        explanations=explanations,
        red_flags=red_flags,
        disclaimer=DISCLAIMER,
    )
    return Analysis(report, measurements, pose, view, subject, gait, info, still)


def _model_name(config: Config) -> str:
    if config.pose.task_model_path:
        return f"PoseLandmarker task file {Path(config.pose.task_model_path).name}"
    return "MediaPipe Pose full (mediapipe 0.10.21, built in)"
