"""The worker side of ``posture.parallel``: one MediaPipe graph in a process of its own.

The fork server imports this module ahead of time (``parallel.start_server``), so MediaPipe
is loaded once, while the analysing process is still importing the rest of the engine, and
every worker forked from the server starts with it loaded.
"""

from __future__ import annotations

import os
from typing import Any

from .config import PoseConfig
from .errors import InputError
from .parallel import FLUSH
from .pose import (
    PoseEstimator,
    PoseFrame,
    RetryEstimator,
    estimate_prepared,
    import_mediapipe,
)

import_mediapipe()  # loaded ahead of time in the fork server: the point of this module


def _hide_native_chatter() -> None:
    """MediaPipe's C++ layers write set-up notes to file descriptor 2; the worker's stderr
    is the terminal the command started in, which is for one-line messages only."""
    if os.environ.get("POSTURE_DEBUG"):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def serve(conn: Any, mode: str, config: PoseConfig) -> None:
    """Answer pose passes until the parent closes ``conn``.

    A pass is a run of ``pose.PreparedFrame`` messages ended by None. ``FLUSH`` asks for
    the landmarks of the frames since the last one, as ``("done", [PoseFrame, ...])``, and
    the graph keeps tracking (the parent may send more frames of the same pass: a stretch
    continued past a seam that did not join). Failures answer ``("input_error", message)``
    or ``("error", message)``. Each pass gets a fresh graph, so no tracking state crosses
    from one pass to the next: the first is built at once (while the parent starts
    decoding), later ones when their first frame arrives, so a worker told to stop does not
    build one for nothing.
    """
    _hide_native_chatter()
    first_pass = True
    while True:
        try:
            item = None if first_pass else conn.recv()
            with PoseEstimator(mode, config) as estimator, RetryEstimator(config) as retry:
                if first_pass:
                    item = conn.recv()
                    first_pass = False
                results: list[PoseFrame] = []
                while item is not None:
                    if isinstance(item, str) and item == FLUSH:
                        conn.send(("done", results))
                        results = []
                    else:
                        results.append(estimate_prepared(estimator, item, retry))
                    item = conn.recv()
        except (EOFError, OSError):
            return  # the parent closed the connection (or is gone): nothing more to do
        except InputError as err:
            conn.send(("input_error", str(err)))
            return
        except Exception as err:  # noqa: BLE001 - reported to the parent in one line
            conn.send(("error", f"{type(err).__name__}: {err}"))
            return
