"""Bad and awkward input, end to end: through ``posture.analyse``, through the command line
``python -m posture analyse`` (a real subprocess) and, for bad files, through the app's
upload helper.

What every case must give:

- a file that cannot be analysed: ``InputError`` with one plain sentence saying what is
  wrong and what to do (API); exit status 2 and exactly one line ``error: <that sentence>``
  on stderr, no traceback, nothing on stdout (CLI); no output file created, an existing
  output file left byte for byte, no temporary file left beside it; the app shows the same
  sentence and still analyses the next upload;
- a file that can be analysed but shows nobody, or too little of the person: a valid
  report (exit status 0) whose ``summary["messages"]`` says so, and no finding it cannot
  back up.

Media is made on the fly (``media_factory``, ``media_factory_people``); cases with a person
take the real photo or clip from ``../shared/media`` and skip where it is absent. The CLI
run starts first and the in-process run happens while it works, to use both cores.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_ROOT
from media_factory import (
    make_audio_only,
    make_empty,
    make_folder,
    make_image,
    make_random_bytes,
    make_text_file,
    make_video,
    remux_without_duration,
    truncate_copy,
)
from media_factory_people import (
    WALK_OUTDOOR,
    WARRIOR,
    load_photo,
    place_on_canvas,
    scale_brightness,
    sliding_out,
    write_photo,
    write_video,
)
from PIL import Image

from posture import Config, InputError, analyse
from posture.landmarks import LEFT_HIP, RIGHT_HIP
from posture.report import SCHEMA_PATH

SENTINEL = '{"kept": "a report from an earlier run"}\n'
# A sentence that tells the user what to do contains one of these.
ACTION_WORDS = ("choose", "use", "export", "check", "make sure", "resize", "film", "save",
                "try", "select", "rotate", "give", "keep")

# ----------------------------------------------------------------------------- helpers


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    out_dir: Path
    json_path: Path
    csv_path: Path
    annotated_path: Path | None

    def report(self) -> dict:
        return json.loads(self.json_path.read_text(encoding="utf-8"))


class CliProcess:
    """``python -m posture analyse INPUT --json --csv [--annotated]`` into a fresh folder
    that already holds a report from an "earlier run" at the --json path."""

    def __init__(self, input_path: Path, out_dir: Path, *extra: str,
                 annotated: str | None = None) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.json_path = out_dir / "report.json"
        self.json_path.write_text(SENTINEL, encoding="utf-8")
        self.csv_path = out_dir / "frames.csv"
        self.annotated_path = out_dir / f"annotated{annotated}" if annotated else None
        args = [sys.executable, "-m", "posture", "analyse", str(input_path),
                "--json", str(self.json_path), "--csv", str(self.csv_path), *extra]
        if self.annotated_path is not None:
            args += ["--annotated", str(self.annotated_path)]
        env = {k: v for k, v in os.environ.items() if k != "POSTURE_DEBUG"}
        self._proc = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def wait(self) -> CliRun:
        stdout, stderr = self._proc.communicate(timeout=600)
        return CliRun(self._proc.returncode, stdout, stderr, self.out_dir, self.json_path,
                      self.csv_path, self.annotated_path)


def run_both(path: Path, out_dir: Path, *extra: str, annotated: str | None = None,
             config: Config | None = None):
    """(API outcome, CliRun): the API outcome is the Analysis or the InputError raised."""
    cli = CliProcess(path, out_dir, *extra, annotated=annotated)
    try:
        outcome: object = analyse(path, config=config)
    except InputError as err:
        outcome = err
    return outcome, cli.wait()


def assert_one_sentence(message: str) -> None:
    assert "\n" not in message, message
    assert message.endswith("."), message
    assert 15 <= len(message) <= 300, message
    # one sentence: no full stop followed by a new capitalised sentence
    assert not re.search(r"[.!?]\s+[A-Z]", message), message
    # plain words, no exception names or errno codes from the libraries underneath
    assert not re.search(r"\b\w*(Error|Exception)\b|\[Errno|Traceback", message), message


def says_what_to_do(message: str) -> bool:
    lowered = message.lower()
    return any(re.search(rf"\b{word}\b", lowered) for word in ACTION_WORDS)


def error_lines(stderr: str) -> list[str]:
    # MediaPipe's C++ chatter must not reach the terminal either: every line counts.
    return stderr.splitlines()


def assert_refused(run: CliRun, message: str) -> None:
    """Exit 2, the API's sentence as the only stderr line, nothing written or left over."""
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert run.stdout == ""
    assert error_lines(run.stderr) == [f"error: {message}"]
    assert run.json_path.read_text(encoding="utf-8") == SENTINEL
    assert sorted(p.name for p in run.out_dir.iterdir()) == ["report.json"]


def assert_valid_run(analysis, run: CliRun) -> dict:
    """Exit 0, outputs written and matching the in-process run; returns the CLI's report."""
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert not any(line.startswith("error") for line in run.stderr.splitlines())
    report = run.report()
    summary, api_summary = report["summary"], analysis.report.summary
    for key in ("person_found", "frames_analysed", "frames_of_subject", "view", "activity",
                "messages"):
        assert summary[key] == api_summary[key], key
    with run.csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == api_summary["frames_analysed"]
    if run.annotated_path is not None:
        assert run.annotated_path.is_file() and run.annotated_path.stat().st_size > 0
    leftovers = [p.name for p in run.out_dir.iterdir() if ".part" in p.name]
    assert leftovers == []
    if SCHEMA_PATH.is_file():
        from posture.report import validate

        validate(report)
        validate(analysis.report.to_dict())
    return report


def statuses(analysis) -> dict[str, str]:
    return {f.id: f.status for f in analysis.report.findings}


# ----------------------------------------------------------------------------- bad files


def _undecodable_mp4(directory: Path) -> Path:
    """A well-formed MP4 (index intact) whose picture data is random bytes."""
    path = make_video(directory / "garbled.mp4", n_frames=10, noise=True)
    data = bytearray(path.read_bytes())
    start, end = data.find(b"mdat") + 4, data.find(b"moov") - 4
    assert 0 < start < end, "expected the index (moov) after the picture data (mdat)"
    data[start:end] = np.random.default_rng(0).integers(0, 256, end - start, np.uint8).tobytes()
    path.write_bytes(bytes(data))
    return path


def _truncated_mp4(directory: Path) -> Path:
    # Cut in half before the index at the end was written: nothing can be located.
    full = make_video(directory / "full.mp4", n_frames=20, noise=True)
    return truncate_copy(full, directory / "cut.mp4", 0.5)


BAD_FILES = {
    "empty": (lambda d: make_empty(d / "clip.mp4"), r"clip\.mp4 is empty"),
    "html_as_mp4": (lambda d: make_text_file(d / "clip.mp4"), r"looks like text/HTML"),
    "html_as_png": (lambda d: make_text_file(d / "photo.png"), r"looks like text/HTML"),
    "text_as_png": (lambda d: make_text_file(d / "photo.png", html=False),
                    r"looks like text/HTML"),
    "random_bytes": (lambda d: make_random_bytes(d / "clip.mp4"),
                     r"not a video or photo this program can read"),
    "truncated_mp4": (_truncated_mp4, r"damaged or truncated"),
    "no_decodable_frame": (_undecodable_mp4, r"contains no decodable frame"),
    "audio_only": (lambda d: make_audio_only(d / "sound.mp4"), r"no video track"),
    "photo_2x2": (lambda d: make_image(d / "dot.png", 2, 2), r"2x2 pixels"),
    "video_2x2": (lambda d: make_video(d / "dot.mp4", n_frames=2, width_px=2, height_px=2),
                  r"2x2 pixels"),
    "folder": (lambda d: make_folder(d / "videos"), r"videos is a folder"),
    "missing": (lambda d: d / "missing.mp4", r"No such file"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_refused_with_one_sentence(tmp_path: Path, case: str) -> None:
    make, expected = BAD_FILES[case]
    path = make(tmp_path)
    error, run = run_both(path, tmp_path / "out", annotated=".mp4")
    assert isinstance(error, InputError), f"analysed instead of refused: {error!r}"
    message = str(error)
    assert re.search(expected, message), message
    assert_one_sentence(message)
    assert_refused(run, message)


@pytest.mark.parametrize(
    "case",
    sorted(BAD_FILES),
)
def test_bad_file_message_says_what_to_do(tmp_path: Path, case: str) -> None:
    make, _ = BAD_FILES[case]
    with pytest.raises(InputError) as excinfo:
        analyse(make(tmp_path))
    assert says_what_to_do(str(excinfo.value)), str(excinfo.value)


def test_app_shows_the_sentence_and_stays_usable(tmp_path: Path) -> None:
    """Every bad upload gives the engine's sentence; the next good upload is analysed."""
    from ui.engine import analyse_upload

    for case, (make, _) in sorted(BAD_FILES.items()):
        (tmp_path / case).mkdir()
        path = make(tmp_path / case)
        if not path.is_file():
            continue  # folders and missing paths cannot be uploaded
        with pytest.raises(InputError) as excinfo:
            analyse(path)
        result = analyse_upload(path.read_bytes(), path.name)
        assert not result.ok and result.report is None, case
        assert result.error == str(excinfo.value), case
    good = make_video(tmp_path / "good.mp4", n_frames=4, width_px=160, height_px=120)
    result = analyse_upload(good.read_bytes(), good.name)
    assert result.ok, result.error
    assert result.report["summary"]["frames_analysed"] == 4


def test_annotated_output_of_the_wrong_kind_writes_nothing(tmp_path: Path) -> None:
    """The mistake is found after the analysis; still nothing is written."""
    video = make_video(tmp_path / "clip.mp4", n_frames=4, width_px=160, height_px=120)
    annotated = tmp_path / "annotated.png"
    with pytest.raises(InputError, match=r"annotated video .*\.mp4 or \.webm") as excinfo:
        analyse(video, annotated_path=annotated)
    assert_one_sentence(str(excinfo.value))
    assert not annotated.exists()
    run = CliProcess(video, tmp_path / "out", annotated=".png").wait()
    assert_refused(run, str(excinfo.value))


def test_late_failure_prints_only_the_error_line(tmp_path: Path) -> None:
    video = make_video(tmp_path / "clip.mp4", n_frames=2, width_px=160, height_px=120)
    run = CliProcess(video, tmp_path / "out", annotated=".png").wait()
    assert run.returncode == 2
    assert len(run.stderr.splitlines()) == 1, run.stderr


# ----------------------------------------------------------------------------- no person


def test_nobody_in_view_is_a_valid_result(tmp_path: Path) -> None:
    video = make_video(tmp_path / "empty_room.mp4", n_frames=12, width_px=160, height_px=120)
    analysis, run = run_both(video, tmp_path / "out", annotated=".mp4")
    summary = analysis.report.summary
    assert summary["person_found"] is False
    assert summary["frames_analysed"] == 12 and summary["frames_of_subject"] == 0
    assert summary["messages"][0].startswith("No person was found.")
    assert set(statuses(analysis).values()) == {"not_assessable"}
    report = assert_valid_run(analysis, run)
    assert set(report) >= {"schema_version", "summary", "measurements", "findings", "gait",
                           "explanations", "red_flags", "disclaimer"}
    assert {f["status"] for f in report["findings"]} == {"not_assessable"}
    assert "No person was found." in run.stdout


def test_long_clip_stops_at_the_configured_limit(tmp_path: Path) -> None:
    video = make_video(tmp_path / "long.mp4", n_frames=40, fps=10, width_px=160, height_px=120)
    config_file = tmp_path / "limit.json"
    config_file.write_text('{"max_duration_s": 1}', encoding="utf-8")
    analysis, run = run_both(video, tmp_path / "out", "--config", str(config_file),
                             config=Config(max_duration_s=1.0))
    assert "Only the first 1 s were analysed." in analysis.report.summary["messages"]
    assert analysis.series["t_s"].max() <= 1.0 + 1e-9
    assert 1 < analysis.report.summary["frames_analysed"] <= 11
    report = assert_valid_run(analysis, run)
    assert "Only the first 1 s were analysed." in report["summary"]["messages"]
    assert "Only the first 1 s were analysed." in run.stdout


def test_8k_video_is_read_without_trouble(tmp_path: Path) -> None:
    video = make_video(tmp_path / "8k.mp4", n_frames=1, width_px=7680, height_px=4320)
    analysis, run = run_both(video, tmp_path / "out")
    source = analysis.report.summary["source"]
    assert (source["width_px"], source["height_px"]) == (7680, 4320)
    assert analysis.report.summary["frames_analysed"] == 1
    assert_valid_run(analysis, run)


# ----------------------------------------------------------------------------- with a person


@pytest.fixture(scope="session")
def person(shared_media: Path) -> np.ndarray:
    """The Warrior II photo, 400 px wide: a whole person, front view."""
    return load_photo(shared_media / WARRIOR, max_side_px=400)


@pytest.fixture(scope="session")
def scene(person: np.ndarray) -> np.ndarray:
    return place_on_canvas(person, 480, 320)


def hips(analysis, position: int = 0) -> np.ndarray:
    xy = analysis.pose.xy_px[position]
    return (xy[LEFT_HIP] + xy[RIGHT_HIP]) / 2


CODECS = {  # case -> (suffix, encoder, name the report gives)
    "vp9": (".webm", "libvpx-vp9", "vp9"),
    "hevc": (".mp4", "libx265", "hevc"),
    "mjpeg_avi": (".avi", "mjpeg", "mjpeg"),
    "mpeg4_avi": (".avi", "mpeg4", "mpeg4"),
}


@pytest.mark.parametrize("case", sorted(CODECS))
def test_codecs_and_containers(tmp_path: Path, scene: np.ndarray, case: str) -> None:
    suffix, encoder, name = CODECS[case]
    video = write_video(tmp_path / f"person{suffix}", [scene] * 6, codec=encoder)
    analysis, run = run_both(video, tmp_path / "out", annotated=".mp4")
    summary = analysis.report.summary
    assert summary["source"]["codec"] == name
    assert summary["person_found"] and summary["frames_with_person"] == 6
    report = assert_valid_run(analysis, run)
    assert report["summary"]["source"]["codec"] == name


@pytest.mark.parametrize("fps", [5, 240])
def test_low_and_high_frame_rates(tmp_path: Path, scene: np.ndarray, fps: int) -> None:
    n = 5 if fps == 5 else 24
    video = write_video(tmp_path / f"fps{fps}.mp4", [scene] * n, fps=fps)
    analysis, run = run_both(video, tmp_path / "out")
    assert analysis.report.summary["source"]["fps"] == pytest.approx(fps)
    assert np.allclose(np.diff(analysis.series["t_s"]), 1 / fps, atol=1e-3)
    assert analysis.report.summary["frames_with_person"] == n
    assert_valid_run(analysis, run)


def test_variable_frame_rate_keeps_real_times(tmp_path: Path, scene: np.ndarray) -> None:
    pts_ms = [0, 30, 70, 90, 160, 170, 240, 300]
    video = write_video(tmp_path / "vfr.mp4", [scene] * len(pts_ms), pts_ms=pts_ms)
    analysis, run = run_both(video, tmp_path / "out")
    assert np.allclose(analysis.series["t_s"], np.array(pts_ms) / 1000, atol=1e-3)
    assert analysis.report.summary["frames_with_person"] == len(pts_ms)
    assert_valid_run(analysis, run)
    with run.csv_path.open(encoding="utf-8") as fh:
        times = [float(row["t_s"]) for row in csv.DictReader(fh)]
    assert np.allclose(times, np.array(pts_ms) / 1000, atol=1e-3)


def test_clip_that_states_no_duration_is_analysed_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import posture.subject as subject_module

    walk = PROJECT_ROOT / "samples" / "walk_side_normal.mp4"  # 4 s, 120 frames
    unknown = remux_without_duration(walk, tmp_path / "recorded.mkv")
    summary = analyse(unknown).report.summary
    # Read from the packets, since the header does not say.
    assert summary["source"]["duration_s"] == pytest.approx(4.0, abs=0.05)
    searched: list[float] = []
    real_search = subject_module.sightings_in_frame

    def counting(image, t_s, *args, **kwargs):  # type: ignore[no-untyped-def]
        searched.append(t_s)
        return real_search(image, t_s, *args, **kwargs)

    monkeypatch.setattr(subject_module, "sightings_in_frame", counting)
    analysis, run = run_both(unknown, tmp_path / "out", annotated=".mp4")
    # The scan searches a frame every half second, as for a clip whose length is known,
    # not every frame.
    assert searched == pytest.approx([0.5 * i for i in range(8)])
    known = analyse(walk)
    # The same landmarks; Matroska keeps times in milliseconds, which moves values a little.
    assert np.array_equal(analysis.pose.xy_px, known.pose.xy_px, equal_nan=True)
    for got, want in zip(analysis.report.findings, known.report.findings, strict=True):
        assert (got.id, got.status, got.severity, got.side) == (
            want.id, want.status, want.severity, want.side)
        assert got.value == pytest.approx(want.value, abs=0.05)
    assert_valid_run(analysis, run)


def test_single_frame_video(tmp_path: Path, scene: np.ndarray) -> None:
    video = write_video(tmp_path / "one.mp4", [scene])
    analysis, run = run_both(video, tmp_path / "out", annotated=".mp4")
    assert analysis.report.summary["frames_analysed"] == 1
    assert analysis.report.summary["person_found"]
    # one frame of video is too little for any verdict, and every finding says why
    for finding in analysis.report.findings:
        assert finding.status == "not_assessable" and finding.message, finding.id
    assert_valid_run(analysis, run)


def test_8k_photo_with_a_person(tmp_path: Path, person: np.ndarray) -> None:
    small = place_on_canvas(person, 600, 338)
    big = np.asarray(Image.fromarray(small).resize((7680, 4320), Image.Resampling.BILINEAR))
    photo = write_photo(tmp_path / "8k.jpg", big)
    analysis, run = run_both(photo, tmp_path / "out", annotated=".png")
    summary = analysis.report.summary
    assert (summary["source"]["width_px"], summary["source"]["height_px"]) == (7680, 4320)
    assert summary["person_found"]
    # landmarks are in pixels of the full 8K picture: the hips sit where they do in the
    # small original, scaled by 12.8
    small_analysis = analyse(small)
    assert np.allclose(hips(analysis) / 12.8, hips(small_analysis), atol=6)
    assert_valid_run(analysis, run)


def test_portrait_video_with_rotation_metadata(tmp_path: Path, person: np.ndarray) -> None:
    upright = place_on_canvas(person, 320, 480)
    stored = np.rot90(upright, 1).copy()  # what a phone held upright stores, landscape
    rotated = write_video(tmp_path / "phone.mp4", [stored] * 6, rotation_ccw_deg=-90)
    plain = write_video(tmp_path / "plain.mp4", [upright] * 6)
    analysis, run = run_both(rotated, tmp_path / "out", annotated=".mp4")
    source = analysis.report.summary["source"]
    assert source["rotation_deg"] == 90
    assert (source["width_px"], source["height_px"]) == (320, 480)
    reference = analyse(plain)
    assert analysis.report.summary["view"] == reference.report.summary["view"] == "front"
    assert np.allclose(hips(analysis, -1), hips(reference, -1), atol=8)
    assert_valid_run(analysis, run)


def test_upside_down_stored_video_with_180_metadata(tmp_path: Path, scene: np.ndarray) -> None:
    stored = np.rot90(scene, 2).copy()
    video = write_video(tmp_path / "flipped.mp4", [stored] * 6, rotation_ccw_deg=180)
    analysis, run = run_both(video, tmp_path / "out")
    summary = analysis.report.summary
    assert summary["source"]["rotation_deg"] == 180
    assert summary["person_found"] and summary["view"] == "front"
    # the head is above the hips once the metadata is applied
    xy = analysis.pose.xy_px[0]
    assert xy[0, 1] < hips(analysis)[1]
    assert_valid_run(analysis, run)


def test_photo_with_exif_rotation(tmp_path: Path, scene: np.ndarray) -> None:
    stored = np.rot90(scene, 1).copy()  # EXIF 6: turn 90 degrees clockwise to view
    photo = write_photo(tmp_path / "phone.jpg", stored, exif_orientation=6)
    plain = write_photo(tmp_path / "plain.jpg", scene)
    analysis, run = run_both(photo, tmp_path / "out", annotated=".png")
    source = analysis.report.summary["source"]
    assert source["rotation_deg"] == 90
    assert (source["width_px"], source["height_px"]) == (480, 320)
    assert np.allclose(hips(analysis), hips(analyse(plain)), atol=6)
    assert_valid_run(analysis, run)
    with Image.open(run.annotated_path) as annotated:
        assert annotated.size == (480, 320)  # drawn upright too


def test_truncated_streamable_mp4_analyses_what_decodes(tmp_path: Path,
                                                         scene: np.ndarray) -> None:
    noisy = [np.clip(scene.astype(int) + np.random.default_rng(i).integers(-20, 20, scene.shape),
                     0, 255).astype(np.uint8) for i in range(12)]
    full = write_video(tmp_path / "full.mp4", noisy, faststart=True)
    cut = truncate_copy(full, tmp_path / "cut.mp4", 0.6)
    analysis, run = run_both(cut, tmp_path / "out")
    assert 0 < analysis.report.summary["frames_analysed"] < 12
    assert analysis.report.summary["person_found"]
    assert_valid_run(analysis, run)


def test_person_walking_out_of_frame(tmp_path: Path, person: np.ndarray) -> None:
    video = write_video(tmp_path / "leaving.mp4", sliding_out(person, 480, 320, 20))
    analysis, run = run_both(video, tmp_path / "out")
    summary = analysis.report.summary
    assert summary["frames_analysed"] == 20
    assert 0 < summary["frames_of_subject"] < 20
    assert not analysis.pose.found[-1]  # gone at the end
    assert_valid_run(analysis, run)
    used = f"{summary['frames_of_subject']} of 20 frames used"
    assert used in run.stdout


@pytest.fixture(scope="session")
def walk_outdoor(shared_media: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real outdoor clip with two people, analysed once in-process and once by the CLI
    (in parallel: about 20 s)."""
    path = shared_media / WALK_OUTDOOR
    return run_both(path, tmp_path_factory.mktemp("walk") / "out")


def test_two_people_report_names_how_the_subject_was_chosen(walk_outdoor) -> None:
    analysis, run = walk_outdoor
    summary = analysis.report.summary
    assert summary["people_seen"] >= 2
    selection = summary["subject_selection"]
    assert f"{summary['people_seen']} people were seen" in selection
    assert "follows the person walking across the view" in selection
    # the walker, seen side-on, is the one analysed (not the jumper facing the camera)
    assert summary["view"] == "side_left" and summary["activity"] == "walking"
    assert_valid_run(analysis, run)
    assert f"Subject: {selection}" in run.stdout


# ----------------------------------------------------------------------------- awkward views

def _feet_cut(person: np.ndarray) -> np.ndarray:
    # In the 400 px Warrior photo the knees are at y = 196-220 and the ankles at 243-246.
    return np.ascontiguousarray(person[:232])


def _head_cut(person: np.ndarray) -> np.ndarray:
    # The eyes and ears are at y = 111-116 and the shoulders at 128-130.
    return np.ascontiguousarray(person[122:])


AWKWARD = {
    "upside_down_photo": lambda p, d: write_photo(d / "ud.png", np.rot90(p, 2).copy()),
    "upside_down_video": lambda p, d: write_video(
        d / "ud.mp4", [np.rot90(place_on_canvas(p, 480, 320), 2).copy()] * 6),
    "feet_cut_photo": lambda p, d: write_photo(d / "feet.png", _feet_cut(p)),
    "head_cut_photo": lambda p, d: write_photo(d / "head.png", _head_cut(p)),
    "very_dark_photo": lambda p, d: write_photo(d / "dark.png", scale_brightness(p, 0.03)),
    "overexposed_photo": lambda p, d: write_photo(
        d / "white.png", scale_brightness(p, 0.06, 235)),
}


@pytest.mark.parametrize("case", sorted(AWKWARD))
def test_awkward_pictures_give_a_valid_report(tmp_path: Path, person: np.ndarray,
                                              case: str) -> None:
    """No crash and a complete report; what it should say is tested below."""
    path = AWKWARD[case](person, tmp_path)
    annotated = ".mp4" if path.suffix == ".mp4" else ".png"
    analysis, run = run_both(path, tmp_path / "out", annotated=annotated)
    assert not isinstance(analysis, InputError), analysis
    assert len(analysis.report.findings) == 5
    assert_valid_run(analysis, run)


@pytest.mark.parametrize("case", ["very_dark_photo", "overexposed_photo"])
def test_too_dark_or_bright_says_no_person_and_why(tmp_path: Path, person: np.ndarray,
                                                   case: str) -> None:
    analysis = analyse(AWKWARD[case](person, tmp_path))
    summary = analysis.report.summary
    # nobody is found in a picture scaled to 3 % brightness or washed out to near white;
    # the report must then say so and hint at the lighting
    assert not summary["person_found"]
    assert any("No person was found" in m and "lit" in m for m in summary["messages"])
    assert set(statuses(analysis).values()) == {"not_assessable"}


@pytest.mark.parametrize("case", ["upside_down_photo", "upside_down_video"])
def test_upside_down_person_gets_a_clear_message(tmp_path: Path, person: np.ndarray,
                                                 case: str) -> None:
    analysis = analyse(AWKWARD[case](person, tmp_path))
    summary = analysis.report.summary
    assert "detected" not in statuses(analysis).values()
    assert not summary["person_found"] or any(
        "upside down" in m.lower() for m in summary["messages"])


def test_feet_cut_off_checks_not_assessable_and_message(tmp_path: Path,
                                                        person: np.ndarray) -> None:
    analysis = analyse(AWKWARD["feet_cut_photo"](person, tmp_path))
    assert statuses(analysis)["weight_shift"] == "not_assessable"
    assert any("feet" in m for m in analysis.report.summary["messages"])


def test_head_cut_off_is_mentioned(tmp_path: Path, person: np.ndarray) -> None:
    analysis = analyse(AWKWARD["head_cut_photo"](person, tmp_path))
    assert any("head" in m for m in analysis.report.summary["messages"])


def test_still_clip_is_standing(tmp_path: Path, scene: np.ndarray) -> None:
    video = write_video(tmp_path / "still.mp4", [scene] * 5, codec="libx265")
    assert analyse(video).report.summary["activity"] == "standing"

