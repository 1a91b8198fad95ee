"""The thread-safe bridge between the WebRTC frame thread and the page (no Streamlit here).

streamlit-webrtc calls the frame callback on its own thread, where ``st.session_state`` is not
available; the callback hands each frame to the engine's ``LiveAnalyser`` through this
object, and the page reads the latest ``LiveState`` back from it, under a lock.
"""

from __future__ import annotations

import logging
import threading
import time
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


def snapshot_of(state: Any, frames_seen: int) -> LiveSnapshot:
    """Copy the fields the page needs from whatever LiveState the engine returns."""
    if state is None:
        return LiveSnapshot(frames_seen=frames_seen)
    get = state.get if isinstance(state, dict) else lambda k, d=None: getattr(state, k, d)
    guidance = get("guidance", None) or get("messages", None) or []
    if isinstance(guidance, str):
        guidance = [guidance]
    findings = [_plain(f) for f in (get("findings", None) or [])]
    measurements = dict(get("measurements", None) or {})
    ready = bool(get("ready", None) or get("verdict_ready", None) or bool(findings))
    progress = get("steady_fraction", None)
    if progress is None:
        progress = get("progress", None)
    return LiveSnapshot(
        frames_seen=frames_seen,
        measurements={k: _plain(v) for k, v in measurements.items()},
        guidance=[str(g) for g in guidance],
        findings=[f for f in findings if isinstance(f, dict)],
        ready=ready,
        progress=None if progress is None else float(progress),
    )


class LiveBridge:
    """Owns one LiveAnalyser; called from the frame thread, read from the page thread."""

    def __init__(self, analyser: Any | None) -> None:
        self._analyser = analyser
        self._lock = threading.Lock()
        self._latest = LiveSnapshot(
            problem=None if analyser is not None else "Live analysis is not available."
        )
        self._frames = 0
        self._t0 = time.monotonic()
        self._failed = False

    @property
    def available(self) -> bool:
        return self._analyser is not None

    def process(self, frame_rgb: np.ndarray, t_s: float | None = None) -> np.ndarray:
        """Analyse one frame; return the frame to show (annotated, or as it came on failure)."""
        if self._analyser is None or self._failed:
            return frame_rgb
        if t_s is None:
            t_s = time.monotonic() - self._t0
        try:
            annotated, state = self._analyser.process(frame_rgb, float(t_s))
        except Exception:
            # Logged once; the video keeps running unannotated and the page says so.
            log.exception("live analysis failed")
            self._failed = True
            with self._lock:
                self._latest.problem = (
                    "Sorry, the live analysis stopped working. The problem has been logged; "
                    "try the snapshot instead."
                )
            return frame_rgb
        with self._lock:
            self._frames += 1
            self._latest = snapshot_of(state, self._frames)
        return annotated if isinstance(annotated, np.ndarray) else frame_rgb

    def latest(self) -> LiveSnapshot:
        with self._lock:
            return self._latest

    def reset(self) -> None:
        """Start over (a new person, or the camera moved)."""
        reset = getattr(self._analyser, "reset", None)
        with self._lock:
            if callable(reset):
                reset()
            self._frames = 0
            self._failed = False
            self._t0 = time.monotonic()
            self._latest = LiveSnapshot()
