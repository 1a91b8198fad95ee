"""One video's pose pass on several cores.

MediaPipe Pose costs about 20 ms of one core a frame and uses little more than one core,
so on a machine with two the second one idles. Here the planned frames
(``feed.FramePlan``) are cut into stretches, one per worker process, each with its own
MediaPipe graph (``parallel_worker.serve``). Each stretch after the first starts
``ParallelConfig.overlap_frames`` analysed frames early: MediaPipe's tracker and its
landmark and visibility filters settle over those frames, which are then dropped, so the
joined landmarks match one pass over the whole clip (bench/README.md, "Accuracy").

The analysing process decodes each stretch in a thread of its own (the decoder of a later
stretch decodes, without converting, the frames before it), prepares each frame as the
single pass would (``pose.prepare_frame``: the subject's crop, shrunk) and sends it to its
worker. Workers are forked from a server that has MediaPipe imported already
(``start_server``; ``python -m posture`` starts it before importing anything else), so a
worker is ready in milliseconds and the import overlaps the engine's own.

Only this module's standard-library imports run in the analysing process; a worker that
dies ends the analysis with one line (``PoseWorkerError``), never a hang.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config, ParallelConfig, PoseConfig

# Suffixes ``start_early`` takes for photos (which never use workers); anything else
# may be a video. Only a guess: the pipeline decides from the file's content.
_PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".heic")
_WORKER_MODULE = "posture.parallel_worker"
# How long the parent waits for a worker between checks that it is still alive.
_POLL_S = 0.1
# Asks a worker for the landmarks so far; its graph keeps tracking (``parallel_worker``).
FLUSH = "flush"


class PoseWorkerError(RuntimeError):
    """A pose worker process stopped or failed; the message is one line."""


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def start_server(config: ParallelConfig) -> None:
    """Start the fork server that workers come from, with MediaPipe imported (idempotent;
    returns at once, the server imports in the background)."""
    if config.start_method != "forkserver":
        return
    import multiprocessing
    import multiprocessing.forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload([_WORKER_MODULE])
    multiprocessing.forkserver.ensure_running()


def start_server_for(path: str | os.PathLike[str], config: ParallelConfig) -> bool:
    """Start the fork server when the video at ``path`` will most likely be analysed in
    stretches (long enough by its header, two cores, workers allowed); True when it was.
    Cheap: the file's header is read, MediaPipe is imported by the server."""
    if (not config.enabled or Path(path).suffix.lower() in _PHOTO_SUFFIXES
            or min(config.max_workers, usable_cores()) < 2
            or not main_module_allows_workers()):
        return False
    from .errors import InputError
    from .source import probe  # PyAV and NumPy: needed next anyway

    try:
        info = probe(path)
    except (InputError, OSError):
        return False  # the analysis will say what is wrong with the file
    if info.kind != "video" or (info.frame_count or 0) < config.min_frames:
        return False  # one graph: the server's MediaPipe import would be wasted work
    try:
        start_server(config)
    except (OSError, ValueError):  # no processes here: the pipeline uses one graph
        return False
    return True


def start_early(argv: list[str], config: ParallelConfig | None = None) -> bool:
    """Called by ``python -m posture`` first thing: for ``analyse VIDEO`` start the fork
    server (``start_server_for``), whose MediaPipe import then runs beside the engine's.
    True when it was started. An unused server ends with the command."""
    if len(argv) < 2 or argv[0] != "analyse":
        return False
    return start_server_for(argv[1], config or ParallelConfig())


def _serve(conn: Any, mode: str, config: PoseConfig) -> None:
    """The workers' entry point, importable without MediaPipe (the analysing process
    names it; the worker, forked from the server, has MediaPipe loaded already)."""
    from .parallel_worker import serve

    serve(conn, mode, config)


def main_module_allows_workers() -> bool:
    """Whether worker processes may start: each imports the program's main module again
    (multiprocessing's rule), which is safe for a package run with ``python -m`` (its
    ``__main__`` is skipped) and for an interactive session, but a script run by path may
    do its work again when imported without an ``if __name__ == "__main__"`` guard, so a
    script (or ``streamlit run``, whose launcher is one) gets one graph."""
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return False  # a daemonic process may not start processes of its own
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name:
        return name == "__main__" or name.endswith(".__main__")
    return getattr(main, "__file__", None) is None


def worker_count(opened: Any, config: Config) -> int:
    """How many pose graphs ``opened`` (a ``feed.Opened``) gets: 1 for photos, camera
    frames, short clips, when switched off, with only one core to run on, or when the
    main module does not allow workers (``main_module_allows_workers``)."""
    settings = config.parallel
    plan = opened.frames
    if (not settings.enabled or opened.mode != "video" or opened.info.kind != "video"
            or plan.expected_frames < max(settings.min_frames, 2 * settings.overlap_frames)
            or not main_module_allows_workers()):
        return 1
    return max(1, min(settings.max_workers, usable_cores()))


@dataclass(frozen=True)
class Stretch:
    """One worker's frames, by decode index: it reads ``[warm_index, stop_index)`` and
    keeps ``[first_index, stop_index)`` (None: to the end)."""

    warm_index: int
    first_index: int
    stop_index: int | None


def stretches(plan: Any, workers: int, overlap_frames: int) -> list[Stretch]:
    """Cut the planned frames (a ``feed.FramePlan``) into ``workers`` stretches that take
    about as long each: every stretch after the first also analyses ``overlap_frames``
    frames it drops, so the first is that much longer. The cuts follow the header's frame
    count; a wrong count only unbalances them."""
    total = plan.expected_frames
    share = (total + (workers - 1) * overlap_frames) / workers
    starts = [0] + [round(share + k * (share - overlap_frames)) for k in range(workers - 1)]
    result = []
    for k, start in enumerate(starts):
        stop = plan.index_of(starts[k + 1]) if k + 1 < len(starts) else None
        warm = max(0, start - overlap_frames) if k else 0
        result.append(Stretch(plan.index_of(warm), plan.index_of(start), stop))
    return result


def seam_agrees(before: list[Any], after: list[Any], cut: Stretch, info: Any,
                settings: ParallelConfig) -> bool:
    """Whether the graph of the stretch after ``cut`` has settled on what the graph before
    it sees: over the last ``seam_check_frames`` overlap frames both find a person, or both
    none, and the median landmark lies within ``seam_max_offset_share`` of the frame's long
    side of the other graph's. ``before``/``after``: the two graphs' ``PoseFrame``s."""
    import numpy as np

    mine = {f.frame_index: f for f in before if cut.warm_index <= f.frame_index < cut.first_index}
    theirs = [f for f in after if f.frame_index < cut.first_index][-settings.seam_check_frames:]
    if not theirs:
        return cut.warm_index == cut.first_index  # no overlap to compare: nothing to check
    limit_px = settings.seam_max_offset_share * max(info.width_px, info.height_px)
    for frame in theirs:
        other = mine.get(frame.frame_index)
        if other is None or other.found != frame.found:
            return False
        if frame.found:
            offset_px = np.linalg.norm(frame.xy_px - other.xy_px, axis=1)
            if float(np.median(offset_px)) > limit_px:
                return False
    return True


class PoseWorkers:
    """``count`` worker processes, one MediaPipe graph each, for ``mode`` ("video").
    Use as a context manager; closing ends the processes."""

    def __init__(self, count: int, mode: str, config: Config) -> None:
        import multiprocessing

        settings = config.parallel
        start_server(settings)
        context = multiprocessing.get_context(settings.start_method)
        self._processes: list[Any] = []
        self._connections: list[Any] = []
        try:
            for _ in range(count):
                mine, theirs = context.Pipe()
                process = context.Process(target=_serve, args=(theirs, mode, config.pose),
                                          daemon=True, name="posture-pose-worker")
                process.start()
                theirs.close()
                self._processes.append(process)
                self._connections.append(mine)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> PoseWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._processes)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes]

    def close(self) -> None:
        for connection in self._connections:
            connection.close()
        for process in self._processes:
            process.join(timeout=2.0)
            if process.is_alive():
                process.kill()
                process.join(timeout=2.0)
        self._connections, self._processes = [], []

    def _check(self, k: int) -> None:
        process = self._processes[k]
        if not process.is_alive():
            raise PoseWorkerError(
                f"pose worker process {k + 1} of {len(self)} stopped unexpectedly "
                f"(exit code {process.exitcode})")

    def _answer(self, k: int, errors: list[BaseException], on_wait: Callable[[], None]
                ) -> list[Any]:
        """Worker ``k``'s landmarks for the pass, waiting for them without hanging on a
        worker that died or a feeder that failed."""
        from .errors import InputError

        connection = self._connections[k]
        while True:
            if errors:
                raise errors[0]
            try:
                if connection.poll(_POLL_S):
                    kind, payload = connection.recv()
                    break
            except (EOFError, OSError):
                self._processes[k].join(timeout=1.0)
                self._check(k)
                raise PoseWorkerError(
                    f"pose worker process {k + 1} of {len(self)} closed its connection"
                ) from None
            self._check(k)
            on_wait()
        if kind == "input_error":
            raise InputError(payload)
        if kind != "done":
            raise PoseWorkerError(f"pose worker process {k + 1} failed: {payload}")
        return payload

    def run(self, opened: Any, config: Config, crop_for: Callable | None,
            progress: Callable[[float], None] | None,
            retry_for: Callable | None = None) -> tuple[list[Any], bool]:
        """The pose pass over ``opened`` (a ``feed.Opened``) in stretches, one per worker:
        (the joined ``PoseFrame``s in order, whether decoding stopped at the duration
        limit)."""
        from .errors import InputError
        from .pose import prepare_frame

        plan, info = opened.frames, opened.info
        cuts = stretches(plan, len(self), config.parallel.overlap_frames)
        sent = [0] * len(cuts)
        stopped = [False] * len(cuts)
        errors: list[BaseException] = []

        def feed(k: int, stretch: Stretch, copies: Any = None) -> None:
            # Stretch 0's decoder keeps the annotated video's copies: with them it decodes
            # to the end (without converting past its stop), so they cover the clip.
            reader = None
            try:
                reader = plan.open(stretch.warm_index, stretch.stop_index, copies)
                for frame in reader:
                    if errors:
                        return
                    self._connections[k].send(prepare_frame(
                        frame, info.width_px, info.height_px, config.pose, crop_for,
                        retry_for))
                    sent[k] += 1
                stopped[k] = reader.stopped_at_limit
                self._connections[k].send(FLUSH)
            except (BrokenPipeError, EOFError, ConnectionError):
                errors.append(PoseWorkerError(
                    f"pose worker process {k + 1} of {len(self)} stopped unexpectedly"))
            except BaseException as err:  # re-raised in the caller's thread
                errors.append(err)
            finally:
                if reader is not None:
                    reader.close()

        expected = max(1, plan.expected_frames + config.parallel.overlap_frames * (len(cuts) - 1))

        def on_wait() -> None:
            if progress is not None:
                progress(min(0.95, sum(sent) / expected))

        feeders = [threading.Thread(target=feed, args=(k, cut, opened.copies if k == 0 else None),
                                    daemon=True,
                                    name=f"posture-pose-feed-{k}")
                   for k, cut in enumerate(cuts)]
        for thread in feeders:
            thread.start()
        try:
            answers = [self._answer(k, errors, on_wait) for k in range(len(cuts))]
        except BaseException:
            if not errors:
                errors.append(PoseWorkerError("the pose pass was stopped"))
            self.close()  # feeders blocked on a send see a closed pipe and stop
            raise
        finally:
            for thread in feeders:
                thread.join(timeout=5.0)
        if errors:
            raise errors[0]
        # Join at each seam where the next graph has settled on what the last one sees;
        # where it has not (it found someone else, or nobody), the last graph goes on
        # through the next stretch itself, as one pass would.
        joined = list(answers[0])
        owner = 0
        for k in range(1, len(cuts)):
            cut = cuts[k]
            if seam_agrees(joined, answers[k], cut, info, config.parallel):
                self._connections[owner].send(None)
                owner = k
                joined.extend(f for f in answers[k] if f.frame_index >= cut.first_index)
                continue
            self._connections[k].send(None)
            feed(owner, Stretch(cut.first_index, cut.first_index, cut.stop_index))
            stopped[owner] = stopped[owner] or stopped[k]
            joined.extend(self._answer(owner, errors, on_wait))
        self._connections[owner].send(None)
        if not joined:
            raise InputError("The file contains no frame that could be decoded.")
        return joined, any(stopped)
