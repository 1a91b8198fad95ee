"""The command line: bad input ends with status 2 and one line on stderr, nothing written;
a good photo writes the report, the CSV and the annotated picture."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from posture.cli import EXIT_BAD_INPUT, EXIT_OK, format_summary, main
from posture.report import validate

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    env.pop("POSTURE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "posture", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder with a few bad inputs and a small photo with nobody in it."""
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "notes.mp4").write_text("these are my notes, not a video\n", encoding="utf-8")
    (tmp_path / "clips").mkdir()
    Image.fromarray(np.full((240, 320, 3), 128, np.uint8)).save(tmp_path / "nobody.png")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "wrong_answer.json").write_text('{"painful_side": "middle"}', encoding="utf-8")
    return tmp_path


BAD_RUNS = {
    "missing_file": ["analyse", "missing.mp4", "--json", "out.json"],
    "folder": ["analyse", "clips", "--json", "out.json"],
    "empty_file": ["analyse", "empty.mp4", "--json", "out.json"],
    "text_renamed_mp4": ["analyse", "notes.mp4", "--json", "out.json", "--csv", "out.csv"],
    "json_suffix": ["analyse", "nobody.png", "--json", "out.txt"],
    "csv_suffix": ["analyse", "nobody.png", "--csv", "out.json"],
    "annotated_suffix": ["analyse", "nobody.png", "--annotated", "out.gif"],
    "missing_output_folder": ["analyse", "nobody.png", "--json", "no/such/folder/out.json"],
    "json_is_a_folder": ["analyse", "nobody.png", "--json", "clips"],
    "symptoms_missing": ["analyse", "nobody.png", "--json", "out.json", "--symptoms", "x.json"],
    "symptoms_not_json": ["analyse", "nobody.png", "--json", "out.json",
                          "--symptoms", "broken.json"],
    "symptoms_not_object": ["analyse", "nobody.png", "--json", "out.json",
                            "--symptoms", "list.json"],
    "symptoms_bad_answer": ["analyse", "nobody.png", "--json", "out.json",
                            "--symptoms", "wrong_answer.json"],
    "config_not_json": ["analyse", "nobody.png", "--json", "out.json", "--config", "broken.json"],
    "no_command": [],
    "unknown_command": ["frobnicate"],
    "unknown_option": ["analyse", "nobody.png", "--colour", "red"],
}

# The slow part of a subprocess is Python and NumPy starting; these few cover the kinds of
# failure (input, output, symptoms, arguments) end to end, the rest run through main().
SUBPROCESS_CASES = ["missing_file", "folder", "empty_file", "text_renamed_mp4", "json_suffix",
                    "missing_output_folder", "symptoms_not_json", "unknown_command"]


def _assert_one_clean_line(stderr: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    assert len(lines[0]) > len("error: ") + 10


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_bad_input_subprocess(workdir: Path, case: str):
    before = _files(workdir)
    result = _run(*BAD_RUNS[case], cwd=workdir)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    _assert_one_clean_line(result.stderr)
    assert result.stdout == ""
    assert _files(workdir) == before  # no output file, no temporary left behind


@pytest.mark.parametrize("case", list(BAD_RUNS))
def test_bad_input_main(workdir: Path, case: str, capsys, monkeypatch):
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("POSTURE_DEBUG", raising=False)
    before = _files(workdir)
    assert main(BAD_RUNS[case]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    _assert_one_clean_line(captured.err)
    assert captured.out == ""
    assert _files(workdir) == before


def test_messages_name_the_problem(workdir: Path, capsys, monkeypatch):
    monkeypatch.chdir(workdir)
    expectations = {
        "missing_file": "missing.mp4",
        "json_suffix": ".json",
        "missing_output_folder": "does not exist",
        "symptoms_bad_answer": "painful_side",
        "empty_file": "empty",
    }
    for case, fragment in expectations.items():
        main(BAD_RUNS[case])
        assert fragment in capsys.readouterr().err, case


def test_internal_errors_are_one_line_with_status_1(workdir: Path, capsys, monkeypatch):
    import posture.pipeline

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.chdir(workdir)
    monkeypatch.delenv("POSTURE_DEBUG", raising=False)
    monkeypatch.setattr(posture.pipeline, "analyse", broken)
    assert main(["analyse", "nobody.png", "--json", "out.json"]) == 1
    err = capsys.readouterr().err
    _assert_one_clean_line(err)
    assert "RuntimeError: boom" in err
    assert not (workdir / "out.json").exists()


def test_nobody_in_the_photo_is_a_valid_result(workdir: Path, capsys, monkeypatch):
    monkeypatch.chdir(workdir)
    assert main(["analyse", "nobody.png", "--json", "r.json", "--csv", "r.csv"]) == EXIT_OK
    report = json.loads((workdir / "r.json").read_text(encoding="utf-8"))
    validate(report)
    assert report["summary"]["person_found"] is False
    assert "No person" in capsys.readouterr().out
    assert len((workdir / "r.csv").read_text(encoding="utf-8").splitlines()) == 2


def test_format_summary_puts_red_flags_first():
    report = {
        "red_flags": [{"title": "Swollen calf", "message": "See a doctor today."}],
        "summary": {"view": "side_left", "activity": "standing", "frames_of_subject": 3,
                    "frames_analysed": 3, "subject_selection": "", "messages": []},
        "gait": None,
        "findings": [{"title": "Knees pressed back", "status": "detected",
                      "severity": "moderate", "side": "both", "message": "Both knees."}],
        "explanations": [],
        "disclaimer": "Screening aid.",
    }
    lines = format_summary(report).splitlines()
    assert lines[0].startswith("!! Swollen calf")
    assert "View: side left; activity: standing" in lines[1]
    assert any("detected (moderate, both)" in line for line in lines)
    assert lines[-1] == "Screening aid."


def _summary_report(**changes) -> dict:
    report = {
        "red_flags": [],
        "summary": {"view": "side_right", "activity": "walking", "frames_of_subject": 90,
                    "frames_analysed": 90, "subject_selection": "", "messages": [],
                    "camera": {"roll_deg": 3.2, "roll_source": "floor contacts of the feet "
                               "while walking", "off_axis_deg": 12.4,
                               "off_axis_source": "spread of the shoulders and hips",
                               "corrected": True, "notes": []}},
        "gait": {"events": [{"side": "left", "kind": "heel_strike", "t_s": 0.4}] * 6,
                 "cadence_steps_per_min": 112.0, "stride_time_s": 1.07, "kind": "walking",
                 "reliable": True, "unreliable_reason": None},
        "findings": [
            {"title": "Hollow back", "status": "uncertain", "severity": "mild", "side": None,
             "message": "The upper body may lean back a little."},
            {"title": "Bent knee", "status": "not_detected", "severity": "none", "side": None,
             "message": "The knees straighten."},
        ],
        "explanations": [{"title": "Hollow back with the knees pushed back",
                          "relevance": "uncertain_findings"}],
        "disclaimer": "Screening aid.",
    }
    report.update(changes)
    return report


def test_format_summary_never_calls_an_uncertain_finding_detected():
    lines = format_summary(_summary_report()).splitlines()
    [hollow] = [line for line in lines if line.startswith("- Hollow back")]
    assert hollow == ("- Hollow back: uncertain, possibly present (mild); worth checking by "
                      "eye. The upper body may lean back a little.")
    assert "detected" not in hollow
    assert "* Hollow back with the knees pushed back (possibly: rests on an uncertain " \
           "finding)" in lines


def test_format_summary_has_one_camera_line_and_the_reason_for_unreliable_gait():
    lines = format_summary(_summary_report()).splitlines()
    assert ("Camera roll 3° (measured from the floor contacts of the feet while walking), "
            "corrected; 12° off the side axis.") in lines
    assert "Gait: 6 events, cadence 112 steps/min, stride 1.07 s." in lines
    report = _summary_report()
    report["gait"].update(kind="running", reliable=False,
                          unreliable_reason="too few steps were seen to time the gait.")
    lines = format_summary(report).splitlines()
    assert ("Gait (running): timing not reliable, cadence and stance times left out. "
            "Too few steps were seen to time the gait.") in lines
    assert not any("112" in line or "steps/min" in line for line in lines)
    old = _summary_report()  # a version 1 report: no camera, no gait reliability
    del old["summary"]["camera"]
    for key in ("kind", "reliable", "unreliable_reason"):
        del old["gait"][key]
    lines = format_summary(old).splitlines()
    assert not any(line.startswith("Camera") for line in lines)
    assert "Gait: 6 events, cadence 112 steps/min, stride 1.07 s." in lines


@pytest.mark.media
def test_photo_run_writes_every_output(shared_media: Path, tmp_path: Path):
    photo = shared_media / "warrior2_front_mediapipe.jpg"
    out_json, out_csv, out_png = tmp_path / "r.json", tmp_path / "m.csv", tmp_path / "a.png"
    result = _run("analyse", str(photo), "--json", str(out_json), "--csv", str(out_csv),
                  "--annotated", str(out_png), cwd=tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    assert "Traceback" not in result.stderr
    assert "View: front" in result.stdout
    report = json.loads(out_json.read_text(encoding="utf-8"))
    validate(report)
    assert report["summary"]["person_found"] is True
    assert report["summary"]["source"]["kind"] == "image"
    assert report["summary"]["source"]["file"] == photo.name
    rows = list(csv.reader(out_csv.open(encoding="utf-8")))
    assert rows[0][:2] == ["frame_index", "t_s"] and len(rows) == 2
    with Image.open(out_png) as annotated, Image.open(photo) as original:
        assert annotated.size == original.size
    assert _files(tmp_path) == {"r.json", "m.csv", "a.png"}


def test_a_pose_model_file_that_is_missing_or_broken_is_one_clear_line(tmp_path):
    # No PoseLandmarker .task file ships with the project (the built-in model is used unless
    # one is given); what can be tested here is that a bad one is refused in one line.
    import subprocess
    import sys
    from pathlib import Path

    photo = Path(__file__).resolve().parents[1] / "samples" / "stand_side_neutral.jpg"
    broken = tmp_path / "broken.task"
    broken.write_text("not a model")
    for model, words in ((tmp_path / "missing.task", "not found"),
                         (broken, "could not be loaded as a pose model"),
                         (tmp_path / "model.tflite", "not found")):
        run = subprocess.run([sys.executable, "-m", "posture", "analyse", str(photo),
                              "--model", str(model)], capture_output=True, text=True)
        assert run.returncode == 2
        assert run.stdout == ""
        assert run.stderr.count("\n") == 1 and words in run.stderr, run.stderr


def test_stated_clothing_reaches_the_report_and_unknown_clothing_is_refused(
        tmp_path: Path, capsys) -> None:
    photo = Path(__file__).parents[1] / "samples" / "stand_side_neutral.jpg"
    out = tmp_path / "r.json"
    assert main(["analyse", str(photo), "--clothing", "loose-trousers", "--json",
                 str(out)]) == EXIT_OK
    report = json.loads(out.read_text())
    assert report["summary"]["clothing_at_knees"] == "loose_trousers"
    validate(report)  # raises when the report breaks its schema
    assert "Clothing stated: loose trousers" in capsys.readouterr().out
    assert main(["analyse", str(photo), "--clothing", "jeans"]) == EXIT_BAD_INPUT
    assert "invalid choice: 'jeans'" in capsys.readouterr().err


def test_a_closed_pipe_after_the_outputs_are_written_is_not_an_error(tmp_path: Path) -> None:
    photo = Path(__file__).parents[1] / "samples" / "stand_side_neutral.jpg"
    out = tmp_path / "r.json"
    run = subprocess.run(
        f"{sys.executable} -m posture analyse {photo} --json {out} | head -c 1",
        shell=True, capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).parents[1])
    assert "internal error" not in run.stderr, run.stderr
    assert json.loads(out.read_text())["summary"]["view"] == "side_left"
