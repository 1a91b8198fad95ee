"""The engine's facade: ``analyse`` runs the stages in order.

1. source        ``posture.source``        video, photo or camera frames -> upright ``Frame``s
                ``posture.feed``          which frames reach MediaPipe, decoded how often
2. pose          ``posture.pose``          MediaPipe Pose -> ``PoseSequence`` (33 landmarks)
                ``posture.parallel``      the pass in stretches, one graph per core
3. subject       ``posture.subject``       one main person when several are in view
4. view          ``posture.view``          side/front/back, standing/walking, per segment
                ``posture.camera``        camera roll and off-axis angle, measured from the
                                            body; landmarks levelled before measuring
5. measurements  ``posture.measurements``  cleaned, filtered landmarks -> angles and offsets
6. gait          ``posture.gait``          heel strikes, toe-offs, stance phases (walking)
7. checks        ``posture.checks``        one ``Finding`` per postural habit
8. explanations  ``posture.explanations``  findings + symptoms -> causes, red flags first
9. report        ``posture.report``        JSON report, per-frame CSV; ``posture.annotate``
                                            draws the annotated photo or video

>>> analysis = analyse("samples/stand_side_neutral.jpg")  # doctest: +SKIP
>>> analysis.report.finding("knee_hyperextension").status  # doctest: +SKIP
'not_detected'
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__
from .config import CLOTHING_AT_KNEES, Config
from .errors import InputError
from .feed import Opened, open_frames, reopen_every_frame
from .landmarks import (
    LEFT_ANKLE,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_ANKLE,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)
from .pose import PoseSequence, estimate_poses
from .source import Frame, MediaInfo
from .subject import SubjectPlan

if TYPE_CHECKING:
    from .camera import CameraGeometry
    from .explanations import Symptoms
    from .gait import GaitAnalysis
    from .gait_cycle import GaitCycle
    from .measurements import Measurements
    from .report import Report
    from .subject import SubjectSelection
    from .view import ViewEstimate

Progress = Callable[[float], None]

# Stages 3-9, imported by ``analyse_poses`` when first needed. They pull in SciPy (half a
# second, ``scipy.stats`` most of it), which ``analyse`` imports in a thread while the
# subject scan and the pose pass run (MediaPipe releases the interpreter's lock, so the
# import takes a core that would otherwise wait) instead of before the scan.
_ANALYSIS_MODULES = ("posture.measurements", "posture.camera", "posture.gait",
                     "posture.gait_cycle", "posture.checks", "posture.explanations",
                     "posture.report", "posture.view")


def _import_analysis_modules() -> None:
    for name in _ANALYSIS_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - imported again where needed, and raised there
            return


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
    camera: CameraGeometry
    # Per-side gait cycle and spatiotemporal table (``posture.gait_cycle``); reliable gaits.
    gait_cycle: GaitCycle | None = None

    @property
    def series(self) -> dict[str, np.ndarray]:
        return self.measurements.series()


class _Workers:
    """The pose worker processes of one analysis, started when a pass first wants them
    (``posture.parallel``) and ended with the analysis."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._workers = None

    def get(self, count: int, mode: str, config: Config):
        from .parallel import PoseWorkers

        if self._workers is None or len(self._workers) != count:
            self._workers = self._stack.enter_context(PoseWorkers(count, mode, config))
        return self._workers


def _pose_pass(opened: Opened, config: Config, progress: Progress | None,
               workers: _Workers | None = None) -> PoseSequence:
    """MediaPipe over the planned frames (following the planned subject in a crop): in
    stretches on several cores for a long enough video (``posture.parallel``), else in
    one pass here."""
    from .parallel import worker_count

    info, plan = opened.info, opened.plan
    crop_for = retry_for = None
    if plan is not None and plan.track is not None:
        def crop_for(t_s: float):
            return plan.crop_box(t_s, info.width_px, info.height_px)
    elif plan is not None and plan.seen is not None and config.pose.retry_in_crop_reach_s > 0:
        def retry_for(t_s: float):
            return plan.retry_box(t_s, info.width_px, info.height_px,
                                  config.pose.retry_in_crop_reach_s)
    count = worker_count(opened, config) if workers is not None else 1
    if count > 1:
        pose_frames, opened.stopped_at_limit = workers.get(count, opened.mode, config).run(
            opened, config, crop_for, progress, retry_for)
    else:
        pose_frames = _single_pass(opened, config, crop_for, progress, retry_for)
    kind = "live" if info.kind == "live" else opened.mode
    return PoseSequence.from_frames(pose_frames, info.width_px, info.height_px, kind)


def _single_pass(opened: Opened, config: Config, crop_for: Callable | None,
                 progress: Progress | None, retry_for: Callable | None = None) -> list:
    info = opened.info
    total = opened.frames.expected_frames
    reader = opened.frames.open(copies=opened.copies)
    pose_frames = []
    try:
        for pose_frame in estimate_poses(reader, opened.mode, info.width_px,
                                         info.height_px, config.pose, crop_for, retry_for):
            pose_frames.append(pose_frame)
            if progress and total:
                progress(min(0.95, len(pose_frames) / total))
        opened.stopped_at_limit = reader.stopped_at_limit
    finally:
        reader.close()
    if not pose_frames:
        raise InputError("The file contains no frame that could be decoded.")
    return pose_frames


def _quiet_standing(analysis: Analysis, config: Config) -> bool:
    """The analysis agrees with a reduced-rate pass: standing, and mostly still."""
    subject_frames = int(analysis.subject.keep.sum())
    return (analysis.view.activity == "standing" and subject_frames > 0
            and analysis.still.sum() >= config.speed.quiet_min_still_share * subject_frames)


def _monotonic(progress: Progress | None) -> Progress | None:
    """A progress callback that never goes back (a second pass starts again from 0)."""
    if progress is None:
        return None
    highest = [0.0]

    def report(fraction: float) -> None:
        if fraction > highest[0]:
            highest[0] = fraction
            progress(fraction)

    return report


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


def _guidance(pose: PoseSequence, subject: SubjectSelection, config: Config) -> list[str]:
    """Plain messages about what the camera could not see."""
    keep = subject.keep
    messages: list[str] = []
    if subject.upside_down_frames > keep.sum():
        messages.append("The picture is upside down; rotate the video or photo so the head is "
                        "at the top, then analyse it again.")
    if not keep.any():
        return messages or [
            "No person was found. Make sure the whole body is in the picture and well lit."]
    from .measurements import landmarks_seen

    vis = pose.visibility[keep]
    limit = config.quality.min_visibility
    xy = pose.xy_px[keep]
    # Feet in the picture: both ankles inside it (MediaPipe extrapolates beyond the edge)
    # and at least one foot seen clearly (the far one may hide behind the near one).
    seen = landmarks_seen(xy, vis, config.quality, (pose.width_px, pose.height_px))
    inside = landmarks_seen(xy, np.ones_like(vis), config.quality,
                            (pose.width_px, pose.height_px))
    feet = (inside[:, [LEFT_ANKLE, RIGHT_ANKLE]].all(axis=1)
            & seen[:, [LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL]].any(axis=1))
    if feet.mean() < 0.5:
        messages.append("The feet are out of frame or hidden in most frames; checks that need "
                        "the ankles are not assessable. Keep the whole body in the picture.")
    # MediaPipe places a cut-off head inside the picture with full confidence, so judge by
    # where the top of the head must be: a quarter of the shoulder-to-ankle length above
    # the shoulders (adult proportions), or 0.6 nose-to-shoulder lengths above the nose.
    shoulders_y = (xy[:, LEFT_SHOULDER, 1] + xy[:, RIGHT_SHOULDER, 1]) / 2
    ankles_y = (xy[:, LEFT_ANKLE, 1] + xy[:, RIGHT_ANKLE, 1]) / 2
    head_top_y = np.fmin(xy[:, NOSE, 1] - 0.6 * (shoulders_y - xy[:, NOSE, 1]),
                         shoulders_y - 0.25 * (ankles_y - shoulders_y))
    head_cut = (vis[:, NOSE] < limit) | (head_top_y < 0)
    if head_cut.mean() >= 0.5:
        messages.append("The head is out of frame or hidden in most frames; keep the whole "
                        "body in the picture.")
    if config.clothing_at_knees in ("long_trousers", "loose_trousers"):
        messages.append(
            f"Clothing stated: {CLOTHING_AT_KNEES[config.clothing_at_knees]}. Cloth hides "
            "where the knee is, so knee angles carry a larger error and a knee finding near its "
            "limit is shown as uncertain; shorts or close-fitting leggings give a firmer reading.")
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
    progress = _monotonic(progress)
    threading.Thread(target=_import_analysis_modules, daemon=True,
                     name="posture-import").start()
    copies = None
    if annotated_path is not None and config.speed.display_copies_max_bytes > 0:
        from .annotate import display_copies

        copies = display_copies(config)
    if isinstance(source, (str, Path)):
        from .parallel import start_server_for

        # Workers come from a server with MediaPipe loaded: start it now, so it loads
        # while the subject scan runs (``python -m posture`` has started it already).
        start_server_for(source, config.parallel)
    opened = open_frames(source, config, copies)
    with ExitStack() as stack:
        workers = _Workers(stack)
        pose = _pose_pass(opened, config, progress, workers)
        analysis = analyse_poses(pose, opened.info, config=config, symptoms=symptoms,
                                 plan=opened.plan)
        if opened.every_nth > 1 and not _quiet_standing(analysis, config):
            # The scan saw someone standing still but the analysis does not: movement and
            # gait need every frame.
            opened = reopen_every_frame(source, opened, config)
            pose = _pose_pass(opened, config, progress, workers)
            analysis = analyse_poses(pose, opened.info, config=config, symptoms=symptoms,
                                     plan=opened.plan)
    if opened.stopped_at_limit:
        analysis.report.summary["messages"].append(
            f"Only the first {config.max_duration_s:.0f} s were analysed."
        )
    if annotated_path is not None:
        from .annotate import write_annotated

        write_annotated(analysis, source, annotated_path, config, blur_faces=blur_faces,
                        copies=opened.copies)
    if progress:
        progress(1.0)
    return analysis


def analyse_poses(
    pose: PoseSequence, info: MediaInfo, *, config: Config | None = None,
    symptoms: Symptoms | None = None, plan: SubjectPlan | None = None,
) -> Analysis:
    """Stages 3-9 on landmarks already found (the live path calls this too)."""
    from .camera import level_landmarks, measure_camera
    from .checks import CheckInput, run_checks
    from .explanations import DISCLAIMER, explain
    from .gait import detect_gait, hold_leg_identity
    from .gait_cycle import analyse_gait_cycle
    from .measurements import clean_landmarks, compute_measurements
    from .report import Report, summarise_measurements
    from .subject import select_subject
    from .view import estimate_view, leg_length_px, shoulder_yaw_deg

    config = config or Config()
    subject = select_subject(pose.xy_px, config.quality, pose.t_s)
    masked = pose.xy_px.copy()
    masked[~subject.keep] = np.nan
    view = estimate_view(masked, pose.t_s, config.view, pose.world_m)
    side_view = view.view.startswith("side")
    xy, swaps = clean_landmarks(
        masked, np.where(subject.keep[:, None], pose.visibility, 0.0), pose.t_s,
        config.quality, config.filter, side_view, zero_lag=pose.kind != "live",
        frame_size_px=(pose.width_px, pose.height_px),
    )
    leg_px = leg_length_px(xy)
    relabelled = 0
    if side_view and view.activity == "walking":
        # Each leg keeps its label over whole runs of steps, so per-side measurements
        # follow the same feet as the gait events.
        xy, relabelled = hold_leg_identity(xy, pose.t_s, view.forward_sign, leg_px, config.gait)
    still = _still_frames(xy, pose.t_s, leg_px, config, pose.kind) & subject.keep
    world_yaw = None if pose.world_m is None else shoulder_yaw_deg(pose.world_m)
    camera = measure_camera(xy, view.per_frame, view.activity, still, leg_px, config.camera,
                            world_yaw)
    # Measured as a level camera would see it; drawn where the camera saw it.
    level = level_landmarks(xy, camera, (pose.width_px, pose.height_px))
    measurements = compute_measurements(
        level, pose.frame_index, pose.t_s, view.per_frame, view.forward_sign, leg_px
    )
    measurements.xy_px = xy
    gait = None
    if view.activity == "walking" and side_view:
        gait = detect_gait(level, pose.t_s, pose.frame_index, view.forward_sign, leg_px,
                           config.gait)
    gait_cycle = None
    if gait is not None and gait.reliable:
        gait_cycle = analyse_gait_cycle(measurements, gait, config.subject_height_m)
    # Feet taking turns with a flight phase between them: running, judged apart from walking.
    activity = "running" if gait is not None and gait.kind == "running" else view.activity
    findings = run_checks(CheckInput(
        measurements, view.view, view.per_frame, activity, still, gait, pose.kind, config,
        camera,
    ))
    explanations, red_flags = explain(findings, symptoms)
    summary_frames = still if view.activity == "standing" and still.any() else None
    summary = {
        "view": view.view,
        "view_share": round(view.view_share, 2),
        "activity": activity,
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
        "clothing_at_knees": config.clothing_at_knees,
        "leg_swaps_corrected": swaps + relabelled,
        "camera": camera.to_dict(),
        "segments": [
            {"start_t_s": s.start_t_s, "end_t_s": s.end_t_s, "view": s.view,
             "activity": s.activity}
            for s in view.segments
        ],
        "messages": _guidance(pose, subject, config),
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
        gait_cycle=gait_cycle,
    )
    return Analysis(report, measurements, pose, view, subject, gait, info, still, camera,
                    gait_cycle)


def _model_name(config: Config) -> str:
    if config.pose.task_model_path:
        return f"PoseLandmarker task file {Path(config.pose.task_model_path).name}"
    return "MediaPipe Pose full (mediapipe 0.10.21, built in)"
