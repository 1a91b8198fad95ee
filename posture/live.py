"""The live path: camera frames one at a time, with guidance and a verdict once steady.

``LiveAnalyser.process(frame_rgb, t_s)`` runs MediaPipe in tracking mode on the frame,
smooths the landmarks causally (an exponential moving average: live frames cannot wait for
future ones), keeps the last seconds of poses, and every half second re-runs stages 3-9
(``pipeline.analyse_poses``) on that window, in a background thread so that the frame
being shown never waits for it (the state it returns is at most one analysis old). It
returns the frame with the skeleton drawn and a ``LiveState``: what the camera sees now,
what the person should do, and the findings once enough steady frames are in.

What one frame returns agrees with itself: whether someone is in view, the guidance and the
findings are decided together for that frame (nobody in view: no findings, and the guidance
says so). Verdicts are stable: the first needs the steady window and two analyses that agree;
a changed verdict is shown only once ``CONFIRM_ANALYSES`` analyses in a row give it; a verdict
is held through short gaps (a step, a glance away) for ``HOLD_S`` seconds. With a ``target``
("side" or "front": the view the chosen check needs) the guidance asks the person to turn.
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
# A first verdict needs this many analyses in a row that agree, a changed one this many.
FIRST_CONFIRM_ANALYSES = 2
CONFIRM_ANALYSES = 3
# A verdict is kept this long without a fresh one (the person shifts, looks away, steps).
HOLD_S = 3.0
# A person missed by the pose model for up to this long is still in view (no flicker).
PRESENCE_HOLD_S = 0.5
TURN_SIDEWAYS = "Turn sideways to the camera: knees and back are judged side-on."
FACE_CAMERA = "Face the camera: weight shift is judged facing the camera."


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
    t_s: float = 0.0  # the frame this state describes


class VerdictHold:
    """Verdicts that hold instead of flickering: a new verdict replaces the shown one only
    after ``confirm`` analyses in a row agree on it (``first_confirm`` for the first one);
    the shown one is dropped after ``hold_s`` seconds without any verdict.

    >>> hold = VerdictHold(confirm=2, first_confirm=1, hold_s=1.0)
    >>> hold.update(("a",), "A", 0.0), hold.update(("b",), "B", 0.5)
    ('A', 'A')
    >>> hold.update(("b",), "B2", 1.0), hold.update(None, None, 1.5), hold.update(None, None, 2.1)
    ('B2', 'B2', None)
    """

    def __init__(self, confirm: int = CONFIRM_ANALYSES,
                 first_confirm: int = FIRST_CONFIRM_ANALYSES, hold_s: float = HOLD_S) -> None:
        self.confirm, self.first_confirm, self.hold_s = confirm, first_confirm, hold_s
        self.shown: object | None = None
        self._signature: tuple | None = None
        self._candidate: tuple | None = None
        self._count = 0
        self._last_t_s = -np.inf

    def update(self, signature: tuple | None, verdict: object | None, t_s: float) -> object | None:
        """Feed one analysis (``signature`` None: no verdict in it); returns what to show."""
        if signature is None:
            self._candidate, self._count = None, 0
            if self.shown is not None and t_s - self._last_t_s > self.hold_s:
                self.shown, self._signature = None, None
            return self.shown
        self._last_t_s = t_s
        if self.shown is not None and signature == self._signature:
            self.shown = verdict  # the same verdict: fresh numbers
            self._candidate, self._count = None, 0
            return self.shown
        if signature == self._candidate:
            self._count += 1
        else:
            self._candidate, self._count = signature, 1
        needed = self.first_confirm if self.shown is None else self.confirm
        if self._count >= needed:
            self.shown, self._signature = verdict, signature
            self._candidate, self._count = None, 0
        return self.shown

    def reset(self) -> None:
        self.shown, self._signature, self._candidate, self._count = None, None, None, 0


def _signature(findings: list[Finding]) -> tuple:
    return tuple((f.id, f.status, f.severity, f.side) for f in findings)


def _feet_visible(pose: PoseFrame, limit: float) -> bool:
    return bool((pose.visibility[[LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL]] >= limit)
                .sum() >= 2)


class LiveAnalyser:
    """Stateful wrapper for a camera stream. Create one per stream; call ``close()``."""

    def __init__(self, config: Config | None = None, window_s: float = WINDOW_S,
                 background: bool = True, target: str | None = None) -> None:
        self.config = config or Config()
        self.window_s = window_s
        # The view the chosen check needs: "side", "front" or None (any).
        self.target = target
        self._hold = VerdictHold()
        self._analysed = LiveState()  # the latest analysis, before the hold
        self._last_seen_t_s = -np.inf
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
            self._accept(self._pending.result())
            self._pending = None
        return self.state

    def _accept(self, analysed: LiveState) -> None:
        """Take a finished analysis: its verdict goes through the hold."""
        self._analysed = analysed
        signature = None if analysed.findings is None else _signature(analysed.findings)
        verdict = None if analysed.findings is None else (analysed.findings, analysed.report)
        shown = self._hold.update(signature, verdict, analysed.t_s)
        findings, report = shown if shown is not None else (None, None)
        self.state = LiveState(
            person_found=analysed.person_found, view=analysed.view,
            activity=analysed.activity, measurements=analysed.measurements,
            guidance=analysed.guidance, steady_s=analysed.steady_s, findings=findings,
            report=report, t_s=analysed.t_s,
        )

    def _frame_state(self, pose: PoseFrame, t_s: float) -> LiveState:
        """What this frame returns: presence, guidance and findings decided together."""
        if pose.found:
            self._last_seen_t_s = t_s
        present = t_s - self._last_seen_t_s <= PRESENCE_HOLD_S
        base = self.state
        state = LiveState(
            person_found=present, view=base.view if present else "unknown",
            activity=base.activity, measurements=dict(base.measurements) if present else {},
            steady_s=base.steady_s if present else 0.0,
            findings=base.findings if present else None,
            report=base.report if present else None, t_s=t_s,
        )
        state.guidance = self._guidance(pose, state)
        return state

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
                self._accept(self._analyse_window(sequence, pose))
            else:
                self._pending = self._worker.submit(self._analyse_window, sequence, pose)
        state = self._frame_state(pose, t_s)
        labels = {k: state.measurements.get(k, np.nan) if pose.found else np.nan for k in (
            "knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg",
            "pelvic_obliquity_deg")}
        banner = [state.guidance[0]] if state.guidance else []
        findings = state.findings or []
        flagged = [f.title for f in findings if f.status == "detected"]
        uncertain = [f.title for f in findings if f.status == "uncertain"]
        return (draw_frame(frame.image_rgb, pose.xy_px, labels, banner, flagged, uncertain),
                state)

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
            measurements=latest, steady_s=steady_s, t_s=pose.t_s,
        )
        state.guidance = self._guidance(pose if pose.found else None, state)
        enough = steady_s >= STEADY_SECONDS_NEEDED or state.activity == "walking"
        # A verdict in which no check could be judged yet (a walk before its first strides)
        # is no verdict: the person is still guided.
        judged = any(f.status != "not_assessable" for f in analysis.report.findings)
        if pose.found and enough and state.view != "unknown" and judged:
            state.findings = analysis.report.findings
            state.report = analysis.report.to_dict()
        return state

    def _guidance(self, pose: PoseFrame | None, state: LiveState) -> list[str]:
        """What the person should do, for this frame's pose (None: nobody in view)."""
        limit = self.config.quality.min_visibility
        if pose is None or not state.person_found:
            return ["No one in view: step into the picture, whole body visible."]
        messages = []
        if self.target == "side" and state.view in ("front", "back"):
            messages.append(TURN_SIDEWAYS)
        elif self.target == "front" and state.view.startswith("side"):
            messages.append(FACE_CAMERA)
        if not pose.found:
            pass  # missed for a moment: keep the rest of the guidance
        elif not _feet_visible(pose, limit):
            messages.append("Feet out of frame: step back or tilt the camera down.")
        if (pose.found and pose.visibility[NOSE] < limit
                and not state.view.startswith("side")):
            messages.append("Head out of frame: step back or tilt the camera up.")
        if state.view == "unknown":
            messages.append("Turn sideways for knees and back, or face the camera for weight "
                            "shifting.")
        if state.activity in ("walking", "running") and state.findings is None:
            messages.append("Keep walking side-on across the picture: the verdict needs a few "
                            "full steps.")
        if state.activity == "standing" and state.steady_s < STEADY_SECONDS_NEEDED:
            remaining = STEADY_SECONDS_NEEDED - state.steady_s
            messages.append(f"Hold still for {remaining:.0f} more second"
                            f"{'s' if remaining >= 1.5 else ''}.")
        return messages
