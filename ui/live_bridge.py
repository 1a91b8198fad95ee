"""The thread-safe bridge between the WebRTC frame thread and the page (no Streamlit here).

streamlit-webrtc calls the frame callback on its own thread, where ``st.session_state`` is not
available; the callback hands each frame to the engine's ``LiveAnalyser`` through this
object, and the page reads the latest ``LiveState`` back from it, under a lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

log = logging.getLogger("posture.app")


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    return value


@dataclass
class LiveSnapshot:
    """What the page shows: a plain copy of the engine's latest live state."""

    frames_seen: int = 0
    measurements: dict[str, Any] = field(default_factory=dict)
    guidance: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    ready: bool = False
    progress: float | None = None  # share of the steady time collected, 0..1, if given
    problem: str | None = None
    person_found: bool = False
    view: str = "unknown"
    report: dict[str, Any] | None = None  # the engine's report of the steady window
    frame: np.ndarray | None = None  # the latest annotated frame


def snapshot_of(state: Any, frames_seen: int, steady_needed_s: float = 5.0) -> LiveSnapshot:
    """Copy the fields the page needs from the engine's LiveState (read, never computed)."""
    if state is None:
        return LiveSnapshot(frames_seen=frames_seen)
    guidance = list(getattr(state, "guidance", None) or [])
    raw_findings = getattr(state, "findings", None)
    report = getattr(state, "report", None)
    if isinstance(report, dict) and report.get("findings") is not None:
        findings = list(report["findings"])
    else:
        findings = [_plain(f) for f in raw_findings or []]
    steady_s = getattr(state, "steady_s", None)
    return LiveSnapshot(
        frames_seen=frames_seen,
        measurements=dict(getattr(state, "measurements", None) or {}),
        guidance=[str(g) for g in guidance],
        findings=[f for f in findings if isinstance(f, dict)],
        # The engine gives findings (even an empty list) only once enough steady frames are in.
        ready=raw_findings is not None,
        progress=None if steady_s is None else min(1.0, float(steady_s) / steady_needed_s),
        person_found=bool(getattr(state, "person_found", False)),
        view=str(getattr(state, "view", "unknown")),
        report=report if isinstance(report, dict) else None,
    )


class LiveBridge:
    """Owns one LiveAnalyser; called from the frame thread, read from the page thread.

    ``factory`` makes the analyser (``None`` when the engine has no live path); it is made
    on the first frame and made anew after ``reset()``.
    """

    def __init__(self, factory: Callable[[], Any | None], target: str | None = None) -> None:
        self._factory = factory
        self._target = target  # the view the chosen check needs ("side", "front" or None)
        self._analyser: Any | None = None
        self._lock = threading.Lock()
        self._latest = LiveSnapshot()
        self._frames = 0
        self._t0: float | None = None
        self._failed = False

    def process(self, frame_rgb: np.ndarray, t_s: float | None = None) -> np.ndarray:
        """Analyse one frame; return the frame to show (annotated, or as it came on failure)."""
        if self._failed:
            return frame_rgb
        try:
            if self._analyser is None:
                self._analyser = self._factory()
                if self._analyser is None:
                    raise RuntimeError("no live analyser")
                if hasattr(self._analyser, "target"):
                    self._analyser.target = self._target
            if self._t0 is None:
                self._t0 = time.monotonic()
            now_s = float(t_s) if t_s is not None else time.monotonic() - self._t0
            annotated, state = self._analyser.process(frame_rgb, now_s)
        except Exception:
            # Logged once; the video keeps running unannotated and the page says so.
            log.exception("live analysis failed")
            self._failed = True
            with self._lock:
                self._latest = LiveSnapshot(
                    frames_seen=self._frames,
                    problem=(
                        "Sorry, the live analysis is not working. The problem has been logged; "
                        "the snapshot tab gives the same analysis of a still picture."
                    ),
                )
            return frame_rgb
        shown = annotated if isinstance(annotated, np.ndarray) else frame_rgb
        with self._lock:
            self._frames += 1
            self._latest = snapshot_of(state, self._frames)
            self._latest.frame = shown
        return shown

    def set_target(self, target: str | None) -> None:
        """The view the chosen check needs: the guidance asks the person to turn to it."""
        self._target = target
        analyser = self._analyser
        if analyser is not None and hasattr(analyser, "target"):
            analyser.target = target

    @property
    def target(self) -> str | None:
        return self._target

    def latest(self) -> LiveSnapshot:
        with self._lock:
            return self._latest

    def reset(self) -> None:
        """Start over (a new person, or the camera moved): a fresh analyser on the next frame."""
        with self._lock:
            old, self._analyser = self._analyser, None
            self._frames = 0
            self._failed = False
            self._t0 = None
            self._latest = LiveSnapshot()
        close = getattr(old, "close", None)
        if callable(close):
            close()
