"""``python -m posture batch``: every recording gets a report and a summary row, a broken
file fails with its reason without stopping the batch, a rerun redoes nothing finished, a
SIGKILL mid-batch leaves only whole files and the rerun finishes the rest, and Ray gives the
same reports as the local workers.

The end-to-end runs go through the real command (a subprocess) over sample media; the
bookkeeping (names, resume rules, worker crashes) is checked with cheap stand-ins for the
analysis.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from posture.batch import (
    CRASH_REASON,
    SUMMARY_COLUMNS,
    FileResult,
    OutputFolder,
    Recording,
    Settings,
    analyse_file,
    find_recordings,
    run_batch,
    run_local,
)
from posture.errors import InputError
from posture.report import validate

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT_ROOT / "samples"
# A photo, two short standing clips, the same photo again in a sub-folder (same base name),
# a file named .mp4 holding text, and a file that is not media at all.
PHOTO = "stand_side_neutral.jpg"
CLIPS = ("stand_front_weight_on_right.mp4", "stand_side_hyperextended_knees.mp4")
MEDIA_NAMES = ("broken.mp4", *CLIPS, PHOTO, f"sub__{PHOTO}")
OK_NAMES = MEDIA_NAMES[1:]


def _batch(*args: str, timeout_s: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    env.pop("POSTURE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "posture", "batch", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout_s)


def _summary(out: Path) -> dict[str, dict[str, str]]:
    """summary.csv's rows by file, relative to the ``in`` folder the batch read."""
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == SUMMARY_COLUMNS
        root = out.parent / "in"
        return {Path(row["file"]).relative_to(root).as_posix(): row for row in reader}


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file()}


def _verdicts(report_path: Path) -> dict:
    report = json.loads(report_path.read_text(encoding="utf-8"))
    return {"view": report["summary"]["view"], "activity": report["summary"]["activity"],
            "frames": report["summary"]["frames_analysed"],
            "findings": [(f["id"], f["status"], f["value"]) for f in report["findings"]]}


def _finished(out: Path) -> list[str]:
    """Files whose report and "ok" state record are both written."""
    names = []
    for state in (out / "state").glob("[!.]*.json"):  # not a temporary .NAME.part
        with contextlib.suppress(OSError, ValueError):
            record = json.loads(state.read_text(encoding="utf-8"))
            if record["status"] == "ok" and (out / record["outputs"]["json"]).is_file():
                names.append(record["name"])
    return names


def _no_temporaries(out: Path) -> None:
    stranded = [p.name for p in out.rglob("*") if ".part" in p.name]
    assert stranded == []


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch") / "in"
    (folder / "sub").mkdir(parents=True)
    for name in (PHOTO, *CLIPS):
        shutil.copy2(SAMPLES / name, folder / name)
    shutil.copy2(SAMPLES / PHOTO, folder / "sub" / PHOTO)
    (folder / "broken.mp4").write_text("this is not a video\n", encoding="utf-8")
    (folder / "notes.txt").write_text("session notes\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def local_run(inputs) -> tuple[Path, subprocess.CompletedProcess]:
    out = inputs.parent / "out_local"
    return out, _batch(str(inputs), "--out", str(out), "--csv", "--workers", "2")


# --------------------------------------------------------------------------- end to end


def test_batch_writes_every_report_and_a_summary(local_run, inputs):
    out, run = local_run
    assert run.returncode == 1, run.stderr  # the broken file failed
    assert "Traceback" not in run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith("1 of 5 file(s) failed")
    assert "5 to analyse" in run.stderr and "notes.txt" in run.stderr
    assert "5/5 files" in run.stderr  # the progress bar reached the end
    rows = _summary(out)
    assert set(rows) == {"broken.mp4", *CLIPS, PHOTO, f"sub/{PHOTO}", "notes.txt"}
    for name in OK_NAMES:
        report = out / "reports" / f"{name}.json"
        validate(json.loads(report.read_text(encoding="utf-8")))
        lines = (out / "csv" / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert len(lines) >= 2
    for file in (*CLIPS, PHOTO, f"sub/{PHOTO}"):
        row = rows[file]
        assert row["status"] == "ok" and row["reason"] == ""
        report = json.loads((out / row["report"]).read_text(encoding="utf-8"))
        assert row["view"] == report["summary"]["view"]
        assert row["activity"] == report["summary"]["activity"]
        assert int(row["frames_analysed"]) == report["summary"]["frames_analysed"]
        assert float(row["time_s"]) > 0
        for finding in report["findings"]:
            assert row[f"{finding['id']}_status"] == finding["status"]
            value = row[f"{finding['id']}_value"]
            assert (float(value) if value else None) == finding["value"]
    # The two photos called stand_side_neutral.jpg got two reports with the same verdicts.
    assert rows[PHOTO]["report"] != rows[f"sub/{PHOTO}"]["report"]
    assert _verdicts(out / rows[PHOTO]["report"]) == _verdicts(out / rows[f"sub/{PHOTO}"]["report"])
    assert rows["notes.txt"]["status"] == "skipped"
    assert "not a video or photo" in rows["notes.txt"]["reason"]
    _no_temporaries(out)


def test_failed_file_has_the_engines_reason_in_the_summary(local_run, inputs):
    out, _ = local_run
    row = _summary(out)["broken.mp4"]
    expected = analyse_file(str(inputs / "broken.mp4"), "broken.mp4", Settings())
    assert expected.status == "failed"
    assert row["status"] == "failed" and row["reason"] == expected.reason
    assert "\n" not in row["reason"] and row["report"] == ""
    assert not (out / "reports" / "broken.mp4.json").exists()


def test_rerun_skips_finished_files_and_retries_failed_only_when_asked(local_run, inputs):
    out, _ = local_run
    before = _mtimes(out)
    summary_before = _summary(out)
    again = _batch(str(inputs), "--out", str(out), "--csv")
    assert again.returncode == 1
    assert "0 to analyse" in again.stderr and "4 already done" in again.stderr
    assert "1 failed before" in again.stderr
    after = _mtimes(out)
    assert {k: v for k, v in after.items() if k != "summary.csv"} == \
        {k: v for k, v in before.items() if k != "summary.csv"}
    assert _summary(out) == summary_before

    retry = _batch(str(inputs), "--out", str(out), "--csv", "--retry-failed")
    assert retry.returncode == 1 and "1 to analyse" in retry.stderr
    changed = {k for k, v in _mtimes(out).items() if before.get(k) != v}
    assert changed == {"state/broken.mp4.json", "summary.csv"}


def test_kill_mid_batch_then_rerun_finishes_with_no_half_written_file(local_run, inputs):
    out = inputs.parent / "out_killed"
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    # One worker: files finish one by one, so the kill lands with work left.
    command = [sys.executable, "-m", "posture", "batch", str(inputs), "--out", str(out),
               "--workers", "1", "--no-progress"]
    with subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as process:
        deadline = time.monotonic() + 300
        while not _finished(out):
            assert process.poll() is None, "the batch ended before the first report"
            assert time.monotonic() < deadline, "no report within 300 s"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
    for report in (out / "reports").glob("[!.]*.json"):  # final names: whole, never half
        validate(json.loads(report.read_text(encoding="utf-8")))
    # Finished = report and state record written (a report whose record the kill beat is
    # analysed again, which is allowed).
    first = {name: (out / "reports" / f"{name}.json").stat().st_mtime_ns
             for name in _finished(out)}
    assert 1 <= len(first) < len(OK_NAMES), "killed too late to test resuming"
    rerun = _batch(str(inputs), "--out", str(out), "--no-progress")
    assert rerun.returncode == 1, rerun.stderr
    assert f"{len(first)} already done" in rerun.stderr
    _no_temporaries(out)
    reports = {p.name for p in (out / "reports").iterdir()}
    assert reports == {f"{name}.json" for name in OK_NAMES}
    for name, mtime in first.items():  # finished before the kill: not analysed again
        assert (out / "reports" / f"{name}.json").stat().st_mtime_ns == mtime
    rows = _summary(out)
    assert [rows[f]["status"] for f in ("broken.mp4", *CLIPS, PHOTO, f"sub/{PHOTO}")] == \
        ["failed", "ok", "ok", "ok", "ok"]
    local_out, _ = local_run
    for name in OK_NAMES:
        assert _verdicts(out / "reports" / f"{name}.json") == \
            _verdicts(local_out / "reports" / f"{name}.json")


def test_ray_local_gives_the_same_reports_as_local_workers(local_run, inputs):
    out = inputs.parent / "out_ray"
    run = _batch(str(inputs), "--out", str(out), "--ray", "local", "--workers", "2",
                 "--no-progress")
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    local_out, _ = local_run
    ray_rows, local_rows = _summary(out), _summary(local_out)
    assert set(ray_rows) == set(local_rows)
    for file, row in ray_rows.items():
        expected = {k: v for k, v in local_rows[file].items() if k != "time_s"}
        assert {k: v for k, v in row.items() if k != "time_s"} == expected
    for name in OK_NAMES:
        assert _verdicts(out / "reports" / f"{name}.json") == \
            _verdicts(local_out / "reports" / f"{name}.json")


@pytest.mark.media
def test_batch_over_real_clips(shared_media, tmp_path):
    # Two short ones: an 11-frame portrait clip and a photo.
    (tmp_path / "in").mkdir()
    for name in ("static_tpose_front_oblique_pose2sim.mp4", "warrior2_front_mediapipe.jpg"):
        (tmp_path / "in" / name).symlink_to(shared_media / name)
    out = tmp_path / "out"
    run = _batch(str(tmp_path / "in" / "*"), "--out", str(out), "--no-progress")
    assert run.returncode == 0, run.stderr
    rows = _summary(out)
    assert {row["status"] for row in rows.values()} == {"ok"} and len(rows) == 2
    for row in rows.values():
        validate(json.loads((out / row["report"]).read_text(encoding="utf-8")))
        assert row["view"] and row["activity"]


def test_annotated_photo(tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy2(SAMPLES / PHOTO, tmp_path / "in" / PHOTO)
    out = tmp_path / "out"
    run = _batch(str(tmp_path / "in"), "--out", str(out), "--annotated", "--no-progress")
    assert run.returncode == 0, run.stderr
    from PIL import Image

    with Image.open(out / "annotated" / f"{PHOTO}.jpg") as image, \
            Image.open(SAMPLES / PHOTO) as source:
        assert image.size == source.size


# --------------------------------------------------------------------------- bookkeeping


def test_bad_arguments_end_with_one_line(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    cases = {
        "missing input": [str(tmp_path / "missing"), "--out", str(tmp_path / "o")],
        "no workers": [str(tmp_path), "--out", str(tmp_path / "o"), "--workers", "0"],
        "out is a file": [str(SAMPLES / PHOTO), "--out", str(tmp_path / "file")],
        "no --out": [str(tmp_path)],
        "bad ray address": [str(tmp_path), "--out", str(tmp_path / "o"), "--ray", "nowhere"],
    }
    for case, args in cases.items():
        run = _batch(*args, timeout_s=60)
        assert run.returncode == 2, case
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("error: "), case
    # Nothing listens on port 1: a one-line error in seconds, not Ray's minutes of retries.
    run = _batch(str(SAMPLES / PHOTO), "--out", str(tmp_path / "o"), "--ray", "127.0.0.1:1",
                 timeout_s=60)
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1].startswith("error: Could not reach the Ray cluster")


def _fake_runner(calls: list[str]):
    """Stands in for the pool: an instant 'report' per file, 'fail' in a name fails."""

    def runner(todo, settings):
        for recording in todo:
            calls.append(recording.name)
            if "fail" in recording.name:
                yield recording, FileResult(recording.name, "failed", "it failed.", 0.1)
                continue
            report = {"summary": {"view": "front", "activity": "standing",
                                  "frames_analysed": 3},
                      "findings": [{"id": "bent_knee", "status": "detected", "value": 7.5,
                                    "unit": "deg"}]}
            yield recording, FileResult(
                recording.name, "ok", time_s=0.1, report_json=json.dumps(report),
                csv_text="t_s\n0\n" if settings.csv else None)

    return runner


def test_resume_redoes_changed_files_and_missing_outputs(tmp_path):
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "clip.mp4").write_bytes(b"1")
    (folder / "clip.mp4").write_bytes(b"2")
    (folder / "will_fail.jpg").write_bytes(b"3")
    out = tmp_path / "out"
    calls: list[str] = []
    notes: list[str] = []

    def run(**kwargs):
        calls.clear()
        kwargs.setdefault("settings", Settings())
        return run_batch([str(folder)], out, runner=_fake_runner(calls), say=notes.append,
                         progress=False, **kwargs)

    outcome = run()
    assert sorted(calls) == ["a__clip.mp4", "clip.mp4", "will_fail.jpg"]
    assert (outcome.ok, outcome.failed, outcome.exit_code) == (2, 1, 1)
    assert run().analysed == 0 and calls == []
    # A file replaced by a new version is analysed again; the others are not.
    os.utime(folder / "clip.mp4", ns=(1, 1))
    run()
    assert calls == ["clip.mp4"]
    # Asking for CSVs redoes every finished file that has none; failed ones stay failed.
    run(settings=Settings(csv=True))
    assert sorted(calls) == ["a__clip.mp4", "clip.mp4"]
    assert (out / "csv" / "a__clip.mp4.csv").is_file()
    run(settings=Settings(csv=True), retry_failed=True)
    assert calls == ["will_fail.jpg"]
    # A deleted report is written again.
    (out / "reports" / "clip.mp4.json").unlink()
    run(settings=Settings(csv=True))
    assert calls == ["clip.mp4"]
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        rows = {row["file"]: row for row in csv.DictReader(fh)}
    row = rows[(folder / "a" / "clip.mp4").as_posix()]
    assert (row["bent_knee_status"], row["bent_knee_value"], row["bent_knee_unit"]) == \
        ("detected", "7.5", "deg")
    assert rows[(folder / "will_fail.jpg").as_posix()]["reason"] == "it failed."


def test_stranded_temporaries_are_removed_and_one_batch_at_a_time(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.jpg").write_bytes(b"1")
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    stranded = out / "reports" / ".x.jpg.json.abc_1234.part.json"
    stranded.write_text("{\"half", encoding="utf-8")
    own = out / ".partial_notes"  # the user's, not ours
    own.write_text("keep", encoding="utf-8")
    notes: list[str] = []
    run_batch([str(folder)], out, runner=_fake_runner([]), say=notes.append, progress=False)
    assert not stranded.exists() and any("Removed 1" in n for n in notes)
    assert own.read_text(encoding="utf-8") == "keep"
    import fcntl

    with open(out / ".batch.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(InputError, match="Another batch"):
            run_batch([str(folder)], out, runner=_fake_runner([]), progress=False)


def test_found_files_get_unique_names_and_skip_reasons(tmp_path):
    folder = tmp_path / "in"
    for sub in ("a", "b", ".hidden", "out"):
        (folder / sub).mkdir(parents=True)
    for path in ("a/clip.MP4", "b/clip.MP4", "a__clip.MP4", "photo.png", ".hidden/x.mp4",
                 "out/old.mp4", "readme.md", ".secret.mp4"):
        (folder / path).write_bytes(b"x")
    (folder / "zlink.png").symlink_to(folder / "photo.png")
    recordings, skipped = find_recordings([str(folder), str(folder / "photo.png")],
                                          exclude=folder / "out")
    names = [r.name for r in recordings]
    assert len(set(names)) == len(names) == 4
    # a/clip.MP4 and a__clip.MP4 would both be a__clip.MP4: both get a hash of their path.
    assert sorted(n.split("-")[0] for n in names) == \
        ["a__clip.MP4", "a__clip.MP4", "b__clip.MP4", "photo.png"]
    assert {s.path.name: s.reason.split(" (")[0] for s in skipped} == {
        "readme.md": "not a video or photo", "zlink.png": f"duplicate of {folder}/photo.png"}
    # A glob: names below the part without wildcards.
    globbed, _ = find_recordings([f"{folder}/*/clip.MP4"])
    assert [r.name for r in globbed] == ["a__clip.MP4", "b__clip.MP4"]


def crash_on_name(path: str, name: str, settings: Settings) -> FileResult:
    """A task that kills its worker process on files called crash*."""
    if name.startswith("crash"):
        os._exit(3)
    time.sleep(0.3)
    return FileResult(name, "ok", time_s=0.3, report_json="{}")


def test_a_worker_crash_fails_that_file_only(tmp_path):
    todo = [Recording(tmp_path / name, name) for name in ("a.mp4", "crash.mp4", "b.mp4",
                                                           "c.mp4")]
    results = dict((r.name, res) for r, res in run_local(todo, Settings(), 2,
                                                         task=crash_on_name))
    assert set(results) == {"a.mp4", "crash.mp4", "b.mp4", "c.mp4"}
    assert results["crash.mp4"].status == "failed"
    assert results["crash.mp4"].reason == CRASH_REASON
    assert [results[n].status for n in ("a.mp4", "b.mp4", "c.mp4")] == ["ok"] * 3


def test_output_folder_paths(tmp_path):
    out = OutputFolder(tmp_path)
    assert out.report("a__b.mp4") == tmp_path / "reports" / "a__b.mp4.json"
    assert out.annotated("a.mp4", ".mp4").name == "a.mp4.mp4"


def test_summary_columns_cover_every_check():
    from posture.batch import CHECK_IDS
    from posture.checks import CHECKS

    assert tuple(check.ID for check in CHECKS) == CHECK_IDS
