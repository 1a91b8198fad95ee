"""Command line: ``python -m posture analyse INPUT [...]``, ``batch``, ``evaluate DIR``, ``bench``.

Bad input ends with exit status 2 and one line on stderr; outputs are written to a
temporary file and renamed, so an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse prints usage on error; we want the one-line message and status 2 only."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{message[0].upper()}{message[1:]} (see --help).")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m posture", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    analyse = commands.add_parser("analyse", help="analyse a video or photo")
    analyse.add_argument("input", help="video (mp4, mov, avi, webm, mkv) or photo (jpg, png, webp)")
    analyse.add_argument("--json", metavar="OUT", help="write the JSON report here")
    analyse.add_argument("--csv", metavar="OUT", help="write per-frame measurements here")
    analyse.add_argument("--strides-csv", metavar="OUT",
                         help="write one row per stride (walking side-on) here")
    analyse.add_argument("--height", metavar="M", type=float,
                         help="the person's height in metres: step lengths also in metres")
    analyse.add_argument("--clothing", choices=("shorts", "long-trousers", "loose-trousers"),
                         help="what the person wears on their legs: long or loose trousers "
                              "widen the knee angles' error (near the limit: uncertain)")
    analyse.add_argument("--annotated", metavar="OUT",
                         help="annotated photo (.png/.jpg) or video (.mp4/.webm)")
    analyse.add_argument("--blur-faces", action="store_true",
                         help="blur the face in the annotated photo or video")
    analyse.add_argument("--symptoms", metavar="FILE", help="JSON file of symptom answers")
    analyse.add_argument("--config", metavar="FILE", help="JSON file overriding thresholds")
    analyse.add_argument("--model", metavar="FILE.task",
                         help="use this PoseLandmarker .task file instead of the built-in model")
    batch = commands.add_parser(
        "batch", help="analyse every video and photo in folders or globs (docs/batch.md)")
    batch.add_argument("inputs", nargs="+", metavar="DIR_OR_GLOB",
                       help="folders (searched recursively), globs (quoted) or files")
    batch.add_argument("--out", metavar="OUT_DIR", required=True,
                       help="folder for the reports, summary.csv and the resume state")
    batch.add_argument("--csv", action="store_true", help="also write per-frame CSVs")
    batch.add_argument("--annotated", action="store_true",
                       help="also write annotated videos (.mp4) and photos")
    batch.add_argument("--blur-faces", action="store_true",
                       help="blur the face in the annotated outputs")
    batch.add_argument("--config", metavar="FILE", help="JSON file overriding thresholds")
    batch.add_argument("--workers", metavar="N", type=int,
                       help="files analysed at once (default: the cores available)")
    batch.add_argument("--ray", metavar="ADDRESS",
                       help="run on Ray: 'local' starts one here, 'auto' or HOST:PORT joins "
                            "a cluster")
    batch.add_argument("--retry-failed", action="store_true",
                       help="analyse again the files that failed in an earlier run")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar")
    evaluate = commands.add_parser("evaluate", help="accuracy on a folder of synthetic subjects")
    evaluate.add_argument("folder")
    evaluate.add_argument("--json", metavar="OUT",
                          help="write every item's outcomes and errors here (for --compare)")
    evaluate.add_argument("--compare", metavar="OLD.json",
                          help="show an earlier result saved with --json beside this one")
    compare = commands.add_parser("evaluate-compare",
                                  help="two results saved with evaluate --json side by side")
    compare.add_argument("old", metavar="OLD.json")
    compare.add_argument("new", metavar="NEW.json")
    commands.add_parser("bench", help="speed and memory benchmark (see bench/README.md)",
                        add_help=False)
    return parser


def _check_output(path: str | None, allowed: tuple[str, ...], what: str) -> None:
    """Fail before a long analysis if an output could not be written."""
    if path is None:
        return
    target = Path(path)
    if allowed and target.suffix.lower() not in allowed:
        raise InputError(f"The {what} must end in {' or '.join(allowed)}: {path}.")
    if target.is_dir():
        raise InputError(f"The {what} path is a folder: {path}.")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"The folder for the {what} does not exist: {parent}.")
    if not os.access(parent, os.W_OK):
        raise InputError(f"The folder for the {what} is not writable: {parent}.")


def _load_symptoms(path: str | None):
    if path is None:
        return None
    from .explanations import Symptoms

    try:
        answers = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"Symptoms file not found: {path}.") from None
    except (OSError, UnicodeDecodeError, ValueError):
        raise InputError(f"Symptoms file {path} is not valid JSON.") from None
    if not isinstance(answers, dict):
        raise InputError(f"Symptoms file {path} must hold a JSON object of answers.")
    return Symptoms.from_dict(answers)


def format_summary(report: dict) -> str:
    """A short plain-text summary of a JSON report, red flags first."""
    from .report import camera_text, gait_unreliable_reason

    summary = report["summary"]
    lines = []
    for flag in report["red_flags"]:
        lines.append(f"!! {flag['title']}: {flag['message']}")
    view = summary["view"].replace("_", " ")
    lines.append(f"View: {view}; activity: {summary['activity']}; "
                 f"{summary['frames_of_subject']} of {summary['frames_analysed']} frames used.")
    if summary.get("subject_selection"):
        lines.append(f"Subject: {summary['subject_selection']}")
    lines.extend(summary["messages"])
    camera = camera_text(summary.get("camera"), summary.get("view"))
    if camera:
        lines.append(camera)
    gait = report.get("gait")
    unreliable = gait_unreliable_reason(gait)
    if unreliable is not None:
        reason = unreliable[:1].upper() + unreliable[1:].rstrip(".")
        lines.append(f"Gait ({gait.get('kind') or 'steps'}): timing not reliable, cadence and "
                     f"stance times left out. {reason}.")
    elif gait and gait.get("cadence_steps_per_min"):
        lines.append(f"Gait: {len(gait['events'])} events, cadence "
                     f"{gait['cadence_steps_per_min']:.0f} steps/min, stride "
                     f"{gait['stride_time_s']:.2f} s.")
    for finding in report["findings"]:
        status = finding["status"].replace("_", " ")
        uncertain = finding["status"] == "uncertain"
        if uncertain:  # never worded as detected
            status = "uncertain, possibly present"
        extra = ""
        if finding["status"] in ("detected", "uncertain"):
            extra = f" ({', '.join(x for x in (finding['severity'], finding['side']) if x)})"
        if uncertain:
            extra += "; worth checking by eye"
        lines.append(f"- {finding['title']}: {status}{extra}. {finding['message']}")
    for explanation in report["explanations"][:3]:
        hedge = " (possibly: rests on an uncertain finding)" if (
            explanation.get("relevance") == "uncertain_findings") else ""
        lines.append(f"* {explanation['title']}{hedge}")
    lines.append(report["disclaimer"])
    return "\n".join(lines)


def _analyse(args: argparse.Namespace) -> int:
    from .annotate import IMAGE_SUFFIXES, VIDEO_SUFFIXES
    from .config import Config, load_config

    _check_output(args.json, (".json",), "JSON report")
    _check_output(args.csv, (".csv",), "CSV file")
    _check_output(args.strides_csv, (".csv",), "strides CSV file")
    if args.height is not None and not 0.5 <= args.height <= 2.5:
        raise InputError(f"The height must be in metres, 0.5 to 2.5: {args.height:g}.")
    _check_output(args.annotated, tuple(IMAGE_SUFFIXES) + tuple(VIDEO_SUFFIXES),
                  "annotated output")
    config = load_config(args.config) if args.config else Config()
    if args.model:
        from dataclasses import replace

        config = replace(config, pose=replace(config.pose, task_model_path=args.model))
    if args.height is not None:
        from dataclasses import replace

        config = replace(config, subject_height_m=args.height)
    if args.clothing is not None:
        from dataclasses import replace

        config = replace(config, clothing_at_knees=args.clothing.replace("-", "_"))
    symptoms = _load_symptoms(args.symptoms)
    from .pipeline import analyse
    from .report import write_csv, write_json

    analysis = analyse(args.input, config=config, symptoms=symptoms,
                       annotated_path=args.annotated, blur_faces=args.blur_faces)
    if args.json:
        write_json(analysis.report, args.json)
    if args.csv:
        write_csv(analysis.measurements, args.csv)
    if args.strides_csv:
        from .atomic import atomic_write_text
        from .gait_cycle import strides_csv

        atomic_write_text(args.strides_csv, strides_csv(analysis.gait_cycle))
    print(format_summary(analysis.report.to_dict()))
    return EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    from .batch import load_settings, run_batch

    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be 1 or more: {args.workers}.")
    if args.ray is not None and not args.ray.strip():
        raise InputError("--ray needs an address: local, auto or HOST:PORT.")
    settings = load_settings(args.csv, args.annotated, args.blur_faces, args.config)
    try:
        outcome = run_batch(args.inputs, args.out, settings, workers=args.workers,
                            ray_address=args.ray, retry_failed=args.retry_failed,
                            progress=not args.no_progress)
    except KeyboardInterrupt:
        print("error: interrupted; finished files are kept, run the same command again to "
              "do the rest.", file=sys.stderr)
        return 130
    summary = outcome.summary_path
    if outcome.failed:
        print(f"{outcome.failed} of {outcome.found} file(s) failed; each reason is in "
              f"{summary}.")
    else:
        print(f"All {outcome.ok} file(s) analysed ({outcome.skipped} skipped): {summary}.")
    return outcome.exit_code


@contextmanager
def _native_chatter_hidden() -> Iterator[None]:
    """MediaPipe's C++ layers write set-up notes and warnings straight to file descriptor 2
    from their own threads. On the command line stderr is for our one-line messages, so fd 2
    goes to /dev/null while Python's ``sys.stderr`` keeps writing to the real terminal."""
    if os.environ.get("POSTURE_DEBUG"):
        yield
        return
    sys.stderr.flush()
    try:
        python_writes_fd2 = sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # e.g. replaced by a test's capture
        python_writes_fd2 = False
    saved_fd = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    original = sys.stderr
    if python_writes_fd2:
        sys.stderr = os.fdopen(os.dup(saved_fd), "w", buffering=1)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved_fd, 2)
        if python_writes_fd2:
            sys.stderr.close()
            sys.stderr = original
        os.close(saved_fd)
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    with _native_chatter_hidden():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["bench"]:
            from .bench import main as bench_main

            return bench_main(argv[1:])
        args = _parser().parse_args(argv)
        if args.command == "evaluate":
            from .evaluate import main as evaluate_main

            _check_output(args.json, (".json",), "evaluation JSON")
            options = [*(["--json", args.json] if args.json else []),
                       *(["--compare", args.compare] if args.compare else [])]
            return evaluate_main([args.folder, *options])
        if args.command == "evaluate-compare":
            from .evaluate import compare_main

            return compare_main([args.old, args.new])
        if args.command == "batch":
            return _batch(args)
        return _analyse(args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted; no output was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Whoever read the summary stopped early (``| head``): the files are written; stop
        # quietly, and keep Python's own flush at exit from failing on the closed pipe too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as err:  # a bug: say so in one line; POSTURE_DEBUG=1 shows the trace
        if os.environ.get("POSTURE_DEBUG"):
            raise
        print(f"error: internal error ({type(err).__name__}: {err}); please report it. "
              "Set POSTURE_DEBUG=1 for details.", file=sys.stderr)
        return EXIT_FAILURE
