"""Batch analysis: every recording in a folder or glob, one report each, one summary.

``python -m posture batch DIR_OR_GLOB [...] --out OUT_DIR`` (``docs/batch.md``). The pieces:

- ``find_recordings``  folders (searched recursively) and globs -> the videos and photos, each
  with a unique output name, plus the files skipped and why (not media, duplicate);
- ``analyse_file``     one recording -> a ``FileResult`` (report text, optional CSV text and
  annotated bytes). It writes nothing, so it runs the same in a local worker process or as a
  Ray task on another machine, and only the driver writes into ``OUT_DIR``;
- ``run_batch``        the runner: decides what is already done, runs the rest on local
  worker processes or on Ray, writes each file's outputs atomically and then its state
  record (the "done" marker), and rebuilds ``summary.csv`` from the state records.

A kill at any moment leaves only whole files under their final names (``posture.atomic``);
the temporary files a kill strands are removed by the next run. A file whose state record is
missing, or was made from another version of the file or other settings, is analysed again.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import hashlib
import io
import json
import multiprocessing
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .atomic import atomic_write_bytes, atomic_write_text
from .config import Config
from .errors import InputError

# The check ids, in report order (``posture.checks.CHECKS``; tests/test_batch.py keeps the
# two equal). Written out so the summary has the same columns whether or not any file
# succeeded, without importing the checks (scipy: over a second) into the batch process.
CHECK_IDS = ("hollow_back", "knee_hyperextension", "bent_knee", "weight_shift",
             "reduced_trunk_pelvis_motion")
SUMMARY_COLUMNS = (
    "file", "status", "reason", "view", "activity", "frames_analysed", "time_s", "report",
    *(f"{check}_{part}" for check in CHECK_IDS for part in ("status", "value", "unit")),
)
# Output sub-folders of OUT_DIR.
REPORTS, CSVS, ANNOTATED, STATE = "reports", "csv", "annotated", "state"
SUMMARY = "summary.csv"
LOCK = ".batch.lock"
STATE_FORMAT = "posture-batch-state/1"
# The temporary name ``posture.atomic`` writes under: ".NAME." + mkstemp's 8 random
# characters + ".part" + the final suffix.
_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.part(\.[^.]+)?$")
CRASH_REASON = ("the worker process analysing it stopped abruptly (crashed, or was killed, "
                "for example when memory ran out)")


@dataclass(frozen=True)
class Recording:
    """A video or photo to analyse; ``name`` is unique in the batch and names its outputs."""

    path: Path
    name: str


@dataclass(frozen=True)
class Skipped:
    """A file found but not analysed (not a video or photo, or already listed)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Settings:
    """What shapes a file's outputs; a state record made with other settings is redone."""

    csv: bool = False
    annotated: bool = False
    blur_faces: bool = False
    config: Config = field(default_factory=Config)
    # sha256 of the --config file's bytes ("" for the built-in thresholds).
    config_sha256: str = ""

    def key(self) -> dict[str, Any]:
        from . import __version__

        return {"engine_version": __version__, "config_sha256": self.config_sha256,
                "blur_faces": self.blur_faces and self.annotated}

    def outputs(self) -> tuple[str, ...]:
        return ("json", *(("csv",) if self.csv else ()),
                *(("annotated",) if self.annotated else ()))


@dataclass
class FileResult:
    """What ``analyse_file`` sends back; the driver writes it."""

    name: str
    status: str  # ok | failed
    reason: str = ""
    time_s: float = 0.0
    report_json: str | None = None
    csv_text: str | None = None
    annotated_bytes: bytes | None = None
    annotated_suffix: str = ""


@dataclass
class BatchOutcome:
    found: int = 0
    analysed: int = 0
    already_done: int = 0
    failed_before: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    summary_path: Path | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


# --------------------------------------------------------------------------- finding files


def media_extensions() -> tuple[str, ...]:
    from .source import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS

    return VIDEO_EXTENSIONS + IMAGE_EXTENSIONS


def _hidden(part: str) -> bool:
    return part.startswith(".")


def _glob_root(pattern: str) -> Path:
    """The folder a glob's names are relative to: its leading parts without wildcards."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _expand(item: str, exclude: Path | None) -> Iterator[tuple[Path, Path]]:
    """(file, root its output name is relative to) for one folder, glob or file."""
    path = Path(item)
    if glob.has_magic(item):
        root = _glob_root(item)
        matches = sorted(glob.glob(item, recursive=True))
        for match in matches:
            found = Path(match)
            if found.is_dir():
                yield from _expand(match, exclude)
            elif found.is_file():
                yield found, root
        return
    if path.is_dir():
        for folder, dirs, files in os.walk(path):
            here = Path(folder)
            # Never descend into OUT_DIR (its annotated videos are not recordings) or hidden
            # folders (.git, editors' caches).
            dirs[:] = sorted(d for d in dirs if not _hidden(d)
                             and (exclude is None or (here / d).resolve() != exclude))
            for name in sorted(files):
                if not _hidden(name):
                    yield here / name, path
        return
    if path.is_file():
        yield path, path.parent
        return
    raise InputError(f"No such file or folder: {item}; check the path (a glob needs quotes "
                     "so the shell leaves it to us).")


def _flat_name(relative: Path) -> str:
    return "__".join(part for part in relative.parts if part not in ("", ".")) or relative.name


def find_recordings(inputs: Iterable[str], exclude: str | Path | None = None
                    ) -> tuple[list[Recording], list[Skipped]]:
    """Every video and photo under ``inputs`` (folders, globs or files), sorted by name.

    Output names are the path below the folder or glob root with ``/`` turned into ``__``
    (``a/clip.mp4`` -> ``a__clip.mp4``), so two files called ``clip.mp4`` in two folders
    get two names; where two inputs still give one name, a short hash of the full path is
    added. ``exclude`` (the output folder) is never searched.
    """
    extensions = media_extensions()
    excluded = Path(exclude).resolve() if exclude is not None else None
    seen: dict[Path, Path] = {}
    candidates: list[tuple[Path, str]] = []
    skipped: list[Skipped] = []
    for item in inputs:
        for found, root in _expand(item, excluded):
            resolved = found.resolve()
            if excluded is not None and resolved.is_relative_to(excluded):
                continue
            if resolved in seen:
                if seen[resolved] != found:
                    skipped.append(Skipped(found, f"duplicate of {seen[resolved]}"))
                continue
            seen[resolved] = found
            if found.suffix.lower() not in extensions:
                skipped.append(Skipped(found, f"not a video or photo ({found.suffix or 'no'} "
                                              "file extension)"))
                continue
            try:
                relative = found.relative_to(root)
            except ValueError:
                relative = Path(found.name)
            candidates.append((found, _flat_name(relative)))
    counts: dict[str, int] = {}
    for _, name in candidates:
        counts[name] = counts.get(name, 0) + 1
    recordings = []
    for found, name in candidates:
        if counts[name] > 1:
            digest = hashlib.sha1(str(found.resolve()).encode()).hexdigest()[:8]
            name = f"{name}-{digest}"
        recordings.append(Recording(found, name))
    recordings.sort(key=lambda r: r.name)
    return recordings, skipped


# --------------------------------------------------------------------------- one file


def analyse_file(path: str, name: str, settings: Settings) -> FileResult:
    """Analyse one recording; every failure comes back as a one-line reason, never raised."""
    start = time.perf_counter()
    try:
        result = _analyse_file(path, name, settings)
    except InputError as err:
        result = FileResult(name, "failed", str(err))
    except MemoryError:
        result = FileResult(name, "failed", "out of memory while analysing it")
    except Exception as err:  # a bug in the engine: one line, and the batch goes on
        message = " ".join(str(err).split())[:300]
        result = FileResult(name, "failed", f"internal error ({type(err).__name__}: {message})")
    result.time_s = round(time.perf_counter() - start, 2)
    return result


def _analyse_file(path: str, name: str, settings: Settings) -> FileResult:
    import tempfile

    from .annotate import IMAGE_SUFFIXES
    from .pipeline import analyse
    from .report import measurements_csv
    from .source import IMAGE_EXTENSIONS

    suffix = ""
    with tempfile.TemporaryDirectory(prefix="posture-batch-") as tmp:
        annotated_path = None
        if settings.annotated:
            own = Path(path).suffix.lower()
            is_image = own in IMAGE_EXTENSIONS
            suffix = (own if own in IMAGE_SUFFIXES else ".png") if is_image else ".mp4"
            annotated_path = Path(tmp) / f"annotated{suffix}"
        analysis = analyse(path, config=settings.config, annotated_path=annotated_path,
                           blur_faces=settings.blur_faces)
        annotated = annotated_path.read_bytes() if annotated_path is not None else None
    return FileResult(
        name, "ok",
        report_json=analysis.report.to_json() + "\n",
        csv_text=measurements_csv(analysis.measurements) if settings.csv else None,
        annotated_bytes=annotated, annotated_suffix=suffix,
    )


def summary_row(report: dict[str, Any]) -> dict[str, Any]:
    """The summary columns a report fills: view, activity, frames, each check."""
    summary = report.get("summary", {})
    row: dict[str, Any] = {"view": summary.get("view", ""),
                           "activity": summary.get("activity", ""),
                           "frames_analysed": summary.get("frames_analysed", "")}
    for finding in report.get("findings", []):
        if finding.get("id") in CHECK_IDS:
            value = finding.get("value")
            row[f"{finding['id']}_status"] = finding.get("status", "")
            row[f"{finding['id']}_value"] = "" if value is None else value
            row[f"{finding['id']}_unit"] = finding.get("unit", "")
    return row


# --------------------------------------------------------------------------- output folder


class OutputFolder:
    """OUT_DIR: where each file's outputs and state record go, and the summary."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def report(self, name: str) -> Path:
        return self.root / REPORTS / f"{name}.json"

    def csv(self, name: str) -> Path:
        return self.root / CSVS / f"{name}.csv"

    def annotated(self, name: str, suffix: str) -> Path:
        return self.root / ANNOTATED / f"{name}{suffix}"

    def state(self, name: str) -> Path:
        return self.root / STATE / f"{name}.json"

    def prepare(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"The output folder is a file: {self.root}.")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for sub in (REPORTS, STATE):
                (self.root / sub).mkdir(exist_ok=True)
        except OSError as err:
            raise InputError(f"Cannot create the output folder {self.root}: "
                             f"{err.strerror or err}.") from None
        if not os.access(self.root, os.W_OK):
            raise InputError(f"The output folder is not writable: {self.root}.")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One batch at a time per OUT_DIR (the lock goes with the process, even on a kill)."""
        import fcntl

        with open(self.root / LOCK, "a+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(f"Another batch is writing to {self.root}; wait for it to "
                                 "finish or choose another --out folder.") from None
            yield

    def remove_stranded_temporaries(self) -> int:
        """Temporary files a killed run left (``.NAME.XXXX.part.SUFFIX``, see
        ``posture.atomic``); safe under the lock, as no other batch writes here."""
        removed = 0
        for folder in (self.root, *(self.root / sub for sub in (REPORTS, CSVS, ANNOTATED,
                                                                 STATE))):
            if not folder.is_dir():
                continue
            for item in folder.iterdir():
                if _TEMPORARY.match(item.name) and item.is_file():
                    with contextlib.suppress(FileNotFoundError):
                        item.unlink()
                        removed += 1
        return removed

    def read_state(self, name: str) -> dict[str, Any] | None:
        try:
            state = json.loads(self.state(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) and state.get("format") == STATE_FORMAT else None

    def write_result(self, recording: Recording, result: FileResult, settings: Settings,
                     display: str) -> dict[str, Any]:
        """The outputs, each atomically, then the state record that marks the file done."""
        outputs: dict[str, str] = {}
        row: dict[str, Any] = {}
        if result.status == "ok":
            assert result.report_json is not None
            if result.csv_text is not None:
                target = self.csv(recording.name)
                target.parent.mkdir(exist_ok=True)
                atomic_write_text(target, result.csv_text)
                outputs["csv"] = target.relative_to(self.root).as_posix()
            if result.annotated_bytes is not None:
                target = self.annotated(recording.name, result.annotated_suffix)
                target.parent.mkdir(exist_ok=True)
                atomic_write_bytes(target, result.annotated_bytes)
                outputs["annotated"] = target.relative_to(self.root).as_posix()
            # The report last of the outputs: a report on disk means its siblings are too.
            target = self.report(recording.name)
            atomic_write_text(target, result.report_json)
            outputs["json"] = target.relative_to(self.root).as_posix()
            row = summary_row(json.loads(result.report_json))
        else:
            # A file that fails now must not keep a report from an earlier version of it.
            self.remove_outputs(recording.name)
        state = {
            "format": STATE_FORMAT, "file": display, "name": recording.name,
            "status": result.status, "reason": result.reason, "time_s": result.time_s,
            "source": _fingerprint(recording.path), "settings": settings.key(),
            "outputs": outputs, "row": row,
        }
        atomic_write_text(self.state(recording.name), json.dumps(state, indent=1) + "\n")
        return state

    def remove_outputs(self, name: str) -> None:
        candidates = [self.report(name), self.csv(name)]
        folder = self.root / ANNOTATED
        if folder.is_dir():
            candidates += [p for p in folder.iterdir() if p.stem == name]
        for path in candidates:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def write_summary(self, rows: list[dict[str, Any]]) -> Path:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=SUMMARY_COLUMNS, extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in SUMMARY_COLUMNS})
        target = self.root / SUMMARY
        atomic_write_text(target, buffer.getvalue())
        return target


def _fingerprint(path: Path) -> dict[str, int]:
    try:
        stat = path.stat()
    except OSError:
        return {"size_bytes": -1, "mtime_ns": -1}
    return {"size_bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def state_is_current(state: dict[str, Any] | None, recording: Recording, settings: Settings,
                     out: OutputFolder) -> bool:
    """The state record was made from this version of the file with these settings, and
    (for a success) every output asked for is on disk."""
    if state is None or state.get("source") != _fingerprint(recording.path):
        return False
    if state.get("settings") != settings.key():
        return False
    if state.get("status") == "failed":
        return True
    outputs = state.get("outputs", {})
    return all(kind in outputs and (out.root / outputs[kind]).is_file()
               for kind in settings.outputs())


# --------------------------------------------------------------------------- running


def _watch_parent(parent_pid: int) -> None:
    """In a worker process: exit when the batch that started it is gone (even after a
    SIGKILL, which gives the pool no chance to stop its workers), so no orphan keeps a
    core busy on a file nobody will write."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


Task = Callable[[str, str, Settings], FileResult]


def run_local(todo: list[Recording], settings: Settings, workers: int,
              task: Task = analyse_file) -> Iterator[tuple[Recording, FileResult]]:
    """Each recording on one of ``workers`` spawned processes, results as they finish.

    ``task`` (a module-level function, as spawned workers import it by name) is
    ``analyse_file`` but for tests.

    A worker that dies (a crash in native code, the out-of-memory killer) breaks the pool
    and every file then in progress. The pool is restarted and those files run again one at
    a time, so the file that kills its worker is the one marked failed.
    """
    context = multiprocessing.get_context("spawn")
    queue: deque[Recording] = deque(todo)
    suspects: deque[Recording] = deque()
    while queue or suspects:
        size = max(1, min(workers, len(queue) + len(suspects)))
        pool = ProcessPoolExecutor(max_workers=size, mp_context=context,
                                   initializer=_watch_parent, initargs=(os.getpid(),))
        running: dict[Future[FileResult], tuple[Recording, bool]] = {}
        try:
            while queue or suspects or running:
                if suspects:
                    if not running:
                        recording = suspects.popleft()
                        running[pool.submit(task, str(recording.path), recording.name,
                                            settings)] = (recording, True)
                else:
                    while queue and len(running) < size:
                        recording = queue.popleft()
                        running[pool.submit(task, str(recording.path), recording.name,
                                            settings)] = (recording, False)
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                crashed: list[tuple[Recording, bool]] = []
                for future in done:
                    recording, alone = running.pop(future)
                    try:
                        yield recording, future.result()
                    except BrokenProcessPool:
                        crashed.append((recording, alone))
                    except Exception as err:  # e.g. a result too big to send back
                        yield recording, FileResult(
                            recording.name, "failed",
                            f"internal error ({type(err).__name__}: {err})")
                if crashed:
                    # The others in progress went down with the pool.
                    crashed += running.values()
                    running.clear()
                    for recording, alone in crashed:
                        if alone or len(crashed) == 1:
                            yield recording, FileResult(recording.name, "failed", CRASH_REASON)
                        else:
                            suspects.append(recording)
                    break
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.removeprefix("ray://").rstrip("/").rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"--ray takes local, auto or HOST:PORT (or ray://HOST:PORT), not "
                         f"{address!r}.")
    return host, int(port)


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail in seconds on a wrong HOST:PORT (Ray itself retries for minutes)."""
    import socket

    host, port = _host_port(address)
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as err:
        raise InputError(f"Could not reach the Ray cluster at {address} "
                         f"({err.strerror or err}); is it running?") from None


def start_ray(address: str, workers: int) -> None:
    """Start (``local``, with ``workers`` CPUs) or join (``auto``, ``HOST:PORT``,
    ``ray://HOST:PORT``) a Ray cluster. Ray is imported here only: it takes seconds."""
    if address not in ("local", "auto"):
        _check_reachable(address)
    import logging

    import ray

    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                               "logging_level": logging.ERROR}
    # Workers must import this package; a checkout that is not pip-installed is found
    # through PYTHONPATH (a cluster's nodes need the same path, or posture installed).
    package_root = str(Path(__file__).resolve().parents[1])
    python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH"))
                                  if p)
    options["runtime_env"] = {"env_vars": {"PYTHONPATH": python_path}}
    try:
        if address == "local":
            # "local": a new instance even where a cluster runs or RAY_ADDRESS is set.
            ray.init(address="local", num_cpus=workers, **options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as err:
        reason = _first_sentence(err)
        if err.__cause__ is not None:  # e.g. Ray's "Authentication token is missing"
            reason += f" ({_first_sentence(err.__cause__)})"
        raise InputError(f"Could not start or reach Ray at {address!r}: {reason}") from None


def _first_sentence(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text.split(". ")[0].rstrip(".")


def run_ray(todo: list[Recording], settings: Settings) -> Iterator[tuple[Recording, FileResult]]:
    """The same ``analyse_file`` as Ray tasks (one CPU each), results as they finish.

    Ray must be started (``start_ray``). A cluster's nodes must read the recordings at the
    same paths (a shared file system); results come back to this process, which alone
    writes OUT_DIR.
    """
    import ray

    # One retry: a task whose node went away runs elsewhere; a file that crashes its
    # worker twice is marked failed.
    remote = ray.remote(num_cpus=1, max_retries=1)(analyse_file)
    pending = {remote.remote(str(r.path), r.name, settings): r for r in todo}
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        for ref in done:
            recording = pending.pop(ref)
            try:
                result = ray.get(ref)
            except ray.exceptions.RayError as err:
                crashed = isinstance(err, ray.exceptions.WorkerCrashedError
                                     | ray.exceptions.NodeDiedError)
                result = FileResult(recording.name, "failed", CRASH_REASON if crashed else (
                    f"Ray task failed ({type(err).__name__}: "
                    f"{' '.join(str(err).split())[:200]})"))
            yield recording, result


def stop_ray() -> None:
    import ray

    ray.shutdown()


Runner = Callable[[list[Recording], Settings], Iterator[tuple[Recording, FileResult]]]


def _display(path: Path) -> str:
    return path.as_posix()


def _progress_bar(total: int, stream: TextIO | None, show: bool):
    from tqdm import tqdm

    # Time left is files left times the mean time per file so far (smoothing 0: clips
    # differ in length, so the whole run's mean is steadier than the last few files').
    return tqdm(total=total, unit="file", file=stream or sys.stderr, dynamic_ncols=True,
                disable=not show or total == 0, smoothing=0,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} files "
                           "[{elapsed}<{remaining}{postfix}]")


def run_batch(
    inputs: list[str],
    out_dir: str | Path,
    settings: Settings | None = None,
    *,
    workers: int | None = None,
    ray_address: str | None = None,
    retry_failed: bool = False,
    say: Callable[[str], None] | None = None,
    progress: bool = True,
    progress_stream: TextIO | None = None,
    runner: Runner | None = None,
) -> BatchOutcome:
    """Analyse what is not done yet; write outputs, state records and the summary.

    ``say`` gets the one-line notes (stderr on the command line). ``runner`` replaces the
    local pool or Ray (tests).
    """
    settings = settings or Settings()
    if ray_address not in (None, "local", "auto"):
        _host_port(ray_address)  # a malformed address fails before any work
    say = say or (lambda line: print(line, file=sys.stderr))
    workers = workers or available_cores()
    out = OutputFolder(out_dir)
    recordings, skipped = find_recordings(inputs, exclude=out.root)
    if not recordings and not skipped:
        raise InputError(f"No files found in {' '.join(inputs)}.")
    out.prepare()
    outcome = BatchOutcome(found=len(recordings), skipped=len(skipped))
    with out.locked():
        stranded = out.remove_stranded_temporaries()
        if stranded:
            say(f"Removed {stranded} unfinished temporary file(s) left by an interrupted run.")
        states: dict[str, dict[str, Any]] = {}
        todo: list[Recording] = []
        for recording in recordings:
            state = out.read_state(recording.name)
            if state_is_current(state, recording, settings, out):
                assert state is not None
                if state["status"] == "ok":
                    outcome.already_done += 1
                    states[recording.name] = state
                    continue
                outcome.failed_before += 1
                if not retry_failed:
                    states[recording.name] = state
                    continue
            todo.append(recording)
        say(_plan_line(outcome, len(todo), retry_failed, skipped))
        # Biggest files first: a long clip started last would leave the other workers idle
        # at the end (file size stands in for length, free to read).
        todo.sort(key=lambda r: -_fingerprint(r.path)["size_bytes"])
        if todo:
            ray_started = False
            settings = _one_graph_per_file(settings)
            if runner is None:
                if ray_address:
                    start_ray(ray_address, workers)
                    ray_started = True
                    runner = run_ray
                else:
                    def runner(items, s):
                        return run_local(items, s, workers)
            bar = _progress_bar(len(todo), progress_stream, progress)
            counts = {"ok": 0, "failed": 0}
            try:
                for recording, result in runner(todo, settings):
                    try:
                        states[recording.name] = out.write_result(
                            recording, result, settings, _display(recording.path))
                    except OSError as err:  # disk full, folder made read-only meanwhile
                        raise InputError(
                            f"Could not write the results of {recording.path} into "
                            f"{out.root} ({err.strerror or err}); fix that and run the same "
                            "command again to finish.") from None
                    counts[result.status] = counts.get(result.status, 0) + 1
                    outcome.analysed += 1
                    bar.set_postfix_str(f"{counts['ok']} ok, {counts['failed']} failed",
                                        refresh=False)
                    bar.update(1)
            finally:
                bar.close()
                if ray_started:
                    stop_ray()
                # Even when interrupted, the summary shows every file finished so far.
                outcome.rows = _rows(recordings, skipped, states)
                outcome.summary_path = _write_summary(out, outcome.rows)
        else:
            outcome.rows = _rows(recordings, skipped, states)
            outcome.summary_path = _write_summary(out, outcome.rows)
    outcome.ok = sum(row["status"] == "ok" for row in outcome.rows)
    outcome.failed = sum(row["status"] == "failed" for row in outcome.rows)
    return outcome


def _write_summary(out: OutputFolder, rows: list[dict[str, Any]]) -> Path:
    try:
        return out.write_summary(rows)
    except OSError as err:
        raise InputError(f"Could not write {out.root / SUMMARY} ({err.strerror or err}); fix "
                         "that and run the same command again.") from None


def _one_graph_per_file(settings: Settings) -> Settings:
    """One pose graph per file, whatever ``--workers`` or Ray: files side by side fill the
    cores (a Ray task holds one CPU), where a video's own split over several graphs
    (``posture.parallel``) would only make them compete; and a file's report is then the
    same however the batch ran (the split agrees with one graph within a tolerance, not
    exactly), so a rerun with other ``--workers`` or on Ray gives the same reports."""
    from dataclasses import replace

    parallel = getattr(settings.config, "parallel", None)
    if parallel is None or not parallel.enabled:
        return settings
    return replace(settings, config=replace(settings.config,
                                            parallel=replace(parallel, enabled=False)))


def _plan_line(outcome: BatchOutcome, todo: int, retry_failed: bool,
               skipped: list[Skipped]) -> str:
    parts = [f"{outcome.found} recording(s) found", f"{todo} to analyse"]
    if outcome.already_done:
        parts.append(f"{outcome.already_done} already done (skipped)")
    if outcome.failed_before and not retry_failed:
        parts.append(f"{outcome.failed_before} failed before (not retried; "
                     "--retry-failed redoes them)")
    if skipped:
        shown = ", ".join(f"{s.path.name} ({s.reason})" for s in skipped[:3])
        more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
        parts.append(f"{len(skipped)} other file(s) skipped: {shown}{more}")
    return "; ".join(parts) + "."


def _rows(recordings: list[Recording], skipped: list[Skipped],
          states: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for recording in recordings:
        state = states.get(recording.name)
        if state is None:  # not reached: interrupted before this file finished
            continue
        row = dict(state.get("row", {}))
        row.update(file=_display(recording.path), status=state["status"],
                   reason=state.get("reason", ""), time_s=state.get("time_s", ""),
                   report=state.get("outputs", {}).get("json", ""))
        rows.append(row)
    rows += [{"file": _display(s.path), "status": "skipped", "reason": s.reason}
             for s in skipped]
    return rows


def available_cores() -> int:
    """Cores this process may use (a container's or taskset's limit, not the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def load_settings(csv_out: bool, annotated: bool, blur_faces: bool,
                  config_path: str | None) -> Settings:
    if config_path is None:
        return Settings(csv=csv_out, annotated=annotated, blur_faces=blur_faces)
    from .config import load_config

    config = load_config(config_path)
    digest = hashlib.sha256(Path(config_path).read_bytes()).hexdigest()
    return Settings(csv=csv_out, annotated=annotated, blur_faces=blur_faces, config=config,
                    config_sha256=digest)
