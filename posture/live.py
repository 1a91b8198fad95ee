"""The live path: camera frames one at a time, with guidance and a verdict once steady.

``LiveAnalyser.process(frame_rgb, t_s)`` runs MediaPipe in tracking mode on the frame,
smooths the landmarks causally (an exponential moving average: live frames cannot wait for
future ones), keeps the last seconds of poses, and every half second re-runs stages 3-9
(``pipeline.analyse_poses``) on that window, in a background thread so that the frame
being shown never waits for it (the state it returns is at most one analysis old). It
returns the frame with the skeleton drawn and a ``LiveState``: what the camera sees now,
what the person should do, and the findings once enough steady frames are in.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .annotate import draw_frame
from .checks import Finding
from .config import Config
from .landmarks import LEFT_ANKLE, LEFT_HEEL, NOSE, RIGHT_ANKLE, RIGHT_HEEL
from .pose import PoseEstimator, PoseFrame, PoseSequence
from .source import frame_from_array, live_info

# How long the person must hold still before a standing verdict (clinical.md: >= 5 s).
STEADY_SECONDS_NEEDED = 5.0
# Seconds of poses kept for the analysis window.
WINDOW_S = 10.0
# How often the window is re-analysed.
REANALYSE_EVERY_S = 0.5


@dataclass
class LiveState:
    person_found: bool = False
    view: str = "unknown"
    activity: str = "standing"
    measurements: dict[str, float] = field(default_factory=dict)
    guidance: list[str] = field(default_factory=list)
    steady_s: float = 0.0
    findings: list[Finding] | None = None  # None until enough steady frames are in
    report: dict | None = None


def _feet_visible(pose: PoseFrame, limit: float) -> bool:
    return bool((pose.visibility[[LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL]] >= limit)
                .sum() >= 2)


class LiveAnalyser:
    """Stateful wrapper for a camera stream. Create one per stream; call ``close()``."""

    def __init__(self, config: Config | None = None, window_s: float = WINDOW_S,
                 background: bool = True) -> None:
        self.config = config or Config()
        self.window_s = window_s
        self._worker = ThreadPoolExecutor(max_workers=1) if background else None
        self._pending: Future[LiveState] | None = None
        self._estimator = PoseEstimator("live", self.config.pose).__enter__()
        self._poses: deque[PoseFrame] = deque()
        self._smoothed: np.ndarray | None = None
        self._last_t_s: float | None = None
        self._last_analysis_t_s = -np.inf
        self._index = 0
        self.state = LiveState()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)
        self._estimator.__exit__(None, None, None)

    def wait(self) -> LiveState:
        """Finish the analysis under way (if any) and return the state it gives."""
        if self._pending is not None:
            self.state = self._pending.result()
            self._pending = None
        return self.state

    def __enter__(self) -> LiveAnalyser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _smooth(self, pose: PoseFrame, t_s: float) -> PoseFrame:
        if not pose.found:
            self._smoothed = None
            return pose
        if self._smoothed is None or self._last_t_s is None:
            self._smoothed = pose.xy_px.copy()
        else:
            dt = max(1e-3, t_s - self._last_t_s)
            alpha = 1.0 - np.exp(-dt / self.config.filter.live_time_constant_s)
            self._smoothed = self._smoothed + alpha * (pose.xy_px - self._smoothed)
        return PoseFrame(pose.frame_index, pose.t_s, self._smoothed.copy(), pose.depth_px,
                         pose.visibility, pose.world_m)

    def process(self, image_rgb: np.ndarray, t_s: float) -> tuple[np.ndarray, LiveState]:
        """Analyse one frame; returns the annotated frame and the current state."""
        frame = frame_from_array(image_rgb, self._index, t_s)
        self._index += 1
        h, w = frame.image_rgb.shape[:2]
        pose = self._smooth(self._estimator.estimate(frame.image_rgb, frame.index, t_s, w, h),
                            t_s)
        self._last_t_s = t_s
        self._poses.append(pose)
        while self._poses and t_s - self._poses[0].t_s > self.window_s:
            self._poses.popleft()
        if self._pending is not None and self._pending.done():
            self.wait()
        if self._pending is None and t_s - self._last_analysis_t_s >= REANALYSE_EVERY_S:
            self._last_analysis_t_s = t_s
            sequence = PoseSequence.from_frames(list(self._poses), w, h, "live")
            if self._worker is None:
                self.state = self._analyse_window(sequence, pose)
            else:
                self._pending = self._worker.submit(self._analyse_window, sequence, pose)
        self.state.person_found = pose.found
        labels = {k: self.state.measurements.get(k, np.nan) for k in (
            "knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg",
            "pelvic_obliquity_deg")}
        banner = [self.state.guidance[0]] if self.state.guidance else []
        findings = self.state.findings or []
        flagged = [f.title for f in findings if f.status == "detected"]
        uncertain = [f.title for f in findings if f.status == "uncertain"]
        return (draw_frame(frame.image_rgb, pose.xy_px, labels, banner, flagged, uncertain),
                self.state)

    def _analyse_window(self, sequence: PoseSequence, pose: PoseFrame) -> LiveState:
        from .pipeline import analyse_poses

        analysis = analyse_poses(
            sequence, live_info(sequence.width_px, sequence.height_px), config=self.config
        )
        return self._state_from(analysis, pose)

    def _state_from(self, analysis, pose: PoseFrame) -> LiveState:
        still = analysis.still
        t = analysis.measurements.t_s
        # Length of the current run of still frames, ending now.
        steady_s = 0.0
        if len(still) and still[-1]:
            start = len(still) - 1
            while start > 0 and still[start - 1]:
                start -= 1
            steady_s = float(t[-1] - t[start])
        latest = {name: float(series[-1]) for name, series in analysis.measurements.values.items()
                  if len(series) and np.isfinite(series[-1])}
        state = LiveState(
            person_found=pose.found, view=analysis.view.view, activity=analysis.view.activity,
            measurements=latest, steady_s=steady_s,
        )
        state.guidance = self._guidance(pose, state)
        enough = steady_s >= STEADY_SECONDS_NEEDED or state.activity == "walking"
        if pose.found and enough and state.view != "unknown":
            state.findings = analysis.report.findings
            state.report = analysis.report.to_dict()
        return state

    def _guidance(self, pose: PoseFrame, state: LiveState) -> list[str]:
        limit = self.config.quality.min_visibility
        if not pose.found:
            return ["No one in view: step into the picture, whole body visible."]
        messages = []
        if not _feet_visible(pose, limit):
            messages.append("Feet out of frame: step back or tilt the camera down.")
        if pose.visibility[NOSE] < limit and not state.view.startswith("side"):
            messages.append("Head out of frame: step back or tilt the camera up.")
        if state.view == "unknown":
            messages.append("Turn sideways for knees and back, or face the camera for weight "
                            "shifting.")
        if state.activity == "standing" and state.steady_s < STEADY_SECONDS_NEEDED:
            remaining = STEADY_SECONDS_NEEDED - state.steady_s
            messages.append(f"Hold still for {remaining:.0f} more second"
                            f"{'s' if remaining >= 1.5 else ''}.")
        return messages
