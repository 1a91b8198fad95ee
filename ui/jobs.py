"""Analyses that run beside the page, so nothing on the page can restart them.

Streamlit reruns the whole script on every click; an analysis run inside the script is
stopped by the rerun and starts again from zero when the button is pressed again. Here the
analysis runs in a worker thread held in ``st.session_state``: the page shows its progress
(a fragment refreshed twice a second), the Analyse button is disabled while it runs, and
when it is done the page reruns once and takes the result.

The thread calls only the engine adapter (``ui.engine``), never Streamlit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.engine import APOLOGY, EngineResult, analyse_upload

log = logging.getLogger("posture.app")


class AnalysisJob:
    """One analysis of an uploaded file, running in its own thread."""

    def __init__(self, data: bytes, filename: str, *, symptoms: Any = None,
                 token: Any = None, analyse: Callable[..., EngineResult] = analyse_upload,
                 start: bool = True, clothing: str = "not_stated") -> None:
        self.filename = filename
        self.token = token  # what the result belongs to (e.g. the uploaded file's id)
        self.progress = 0.0
        self.started = time.monotonic()
        self.result: EngineResult | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(analyse, data, filename, symptoms, clothing),
            name=f"analyse-{filename}", daemon=True,
        )
        if start:
            self._thread.start()

    def _run(self, analyse: Callable[..., EngineResult], data: bytes, filename: str,
             symptoms: Any, clothing: str) -> None:
        try:
            self.result = analyse(data, filename, symptoms=symptoms, progress=self._update,
                                  clothing=clothing)
        except Exception:  # analyse_upload never raises; a substitute might
            log.exception("analysis job failed for %s", filename)
            self.result = EngineResult(error=APOLOGY, source_name=filename)
        finally:
            self.progress = 1.0
            self._done.set()

    def _update(self, fraction: float) -> None:
        self.progress = min(max(float(fraction), 0.0), 1.0)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> EngineResult | None:
        self._done.wait(timeout)
        return self.result

    def progress_text(self) -> str:
        elapsed_s = time.monotonic() - self.started
        if self.progress > 0.02:
            left_s = elapsed_s * (1.0 - self.progress) / self.progress
            return (f"Analysing {self.filename}: {self.progress:.0%} done, "
                    f"about {left_s:.0f} s left")
        return f"Analysing {self.filename}: {self.progress:.0%} done, estimating time left…"


def running(key: str) -> AnalysisJob | None:
    """The job under ``key`` while it runs (None when there is none or it has finished)."""
    job = st.session_state.get(key)
    return job if isinstance(job, AnalysisJob) and not job.done else None


def start(key: str, data: bytes, filename: str, *, symptoms: Any = None,
          token: Any = None, clothing: str = "not_stated") -> AnalysisJob:
    """Start an analysis under ``key``, unless one is already running there."""
    job = running(key)
    if job is None:
        job = AnalysisJob(data, filename, symptoms=symptoms, token=token, clothing=clothing)
        st.session_state[key] = job
    return job


def take_result(key: str) -> AnalysisJob | None:
    """The finished job under ``key`` (removed from the session), or None."""
    job = st.session_state.get(key)
    if isinstance(job, AnalysisJob) and job.done:
        st.session_state.pop(key, None)
        return job
    return None


def progress(key: str) -> None:
    """Show the running job's progress; rerun the page once it is done."""
    if running(key) is None:
        return
    _progress_fragment(key)


@st.fragment(run_every=0.5)
def _progress_fragment(key: str) -> None:
    job = st.session_state.get(key)
    if not isinstance(job, AnalysisJob):
        return
    if job.done:
        st.rerun(scope="app")
    st.progress(job.progress, text=job.progress_text())
