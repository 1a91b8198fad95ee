"""Privacy and safety: faces blurred on request, nothing leaves the machine, uploads and
temporary files are removed, red flags come first and the wording never diagnoses.

The no-connection tests run the engine, the app's upload path and the Streamlit server in
subprocesses whose ``sitecustomize`` records (and refuses) every ``connect``/``sendto`` to
anything but loopback or a Unix socket, and every name looked up; a first test shows the
recorder does catch an outside connection. Connections made from C code (not through
Python's ``socket``) are out of its sight; MediaPipe, PyAV and OpenCV make none.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_ROOT
from media_factory import make_random_bytes, make_video
from media_factory_people import WARRIOR, load_photo, place_on_canvas, write_video
from PIL import Image

from posture import analyse
from posture.explanations import Symptoms
from posture.privacy import FACE_POINTS, blur_faces, face_ellipse
from posture.source import open_media

# ----------------------------------------------------------------------------- helpers


def _laplacian_variance(image: np.ndarray, mask: np.ndarray) -> float:
    """Fine detail inside ``mask``: the variance of the grey image's Laplacian there."""
    import cv2

    grey = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY).astype(np.float64)
    return float(cv2.Laplacian(grey, cv2.CV_64F)[mask].var())


def _ellipse_masks(shape: tuple[int, ...], ellipse, inner: float = 0.9, outer: float = 1.1,
                   pad_px: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """(well inside, well outside) the ellipse, leaving a band for rounding at its edge."""
    (cx, cy), (rx, ry) = ellipse
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    r_in = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    r_out = ((xx - cx) / (rx + pad_px)) ** 2 + ((yy - cy) / (ry + pad_px)) ** 2
    return r_in <= inner**2, r_out > outer**2


def _face(cx: float, cy: float, size: float) -> np.ndarray:
    """33 landmarks with only the face points (0-10) set, around (cx, cy)."""
    xy = np.full((33, 2), np.nan)
    offsets = [(0, 0.2), (-0.15, 0), (-0.25, 0), (-0.35, 0), (0.15, 0), (0.25, 0), (0.35, 0),
               (-0.5, 0.05), (0.5, 0.05), (-0.15, 0.45), (0.15, 0.45)]
    xy[:11] = np.array([(cx + dx * size, cy + dy * size) for dx, dy in offsets])
    return xy


# ----------------------------------------------------------------------------- face blur


def test_blur_faces_blurs_the_head_and_leaves_the_rest() -> None:
    image = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    before = image.copy()
    xy, vis = _face(160, 90, 40), np.ones(33)
    out = blur_faces(image, xy, vis)
    assert np.array_equal(image, before)  # the input is not changed
    ellipse = face_ellipse(xy, vis)
    inside, outside = _ellipse_masks(image.shape, ellipse)
    assert np.array_equal(out[outside], image[outside])
    ratio = _laplacian_variance(out, inside) / _laplacian_variance(image, inside)
    assert ratio < 0.02, ratio
    # the ellipse holds every face point and reaches above the eyes (forehead, hair)
    (cx, cy), (rx, ry) = ellipse
    pts = xy[list(FACE_POINTS)]
    assert (((pts[:, 0] - cx) / rx) ** 2 + ((pts[:, 1] - cy) / ry) ** 2 <= 1).all()
    assert cy - ry < 90 - 40


def test_blur_faces_without_a_face_or_with_nan_changes_nothing() -> None:
    image = np.random.default_rng(1).integers(0, 256, (100, 120, 3), dtype=np.uint8)
    nothing = np.full((33, 2), np.nan)
    assert np.array_equal(blur_faces(image, nothing, np.zeros(33)), image)
    assert face_ellipse(nothing, np.ones(33)) is None


def test_blur_faces_at_the_edge_and_for_several_people() -> None:
    image = np.random.default_rng(2).integers(0, 256, (120, 200, 3), dtype=np.uint8)
    half_out = _face(5, 10, 30)  # head partly outside the picture
    gone = _face(-500, -500, 30)  # entirely outside: nothing to blur
    both = np.stack([half_out, _face(150, 60, 30), gone])
    out = blur_faces(image, both, np.ones((3, 33)))
    for xy in (half_out, both[1]):
        inside, _ = _ellipse_masks(image.shape, face_ellipse(xy, np.ones(33)))
        assert _laplacian_variance(out, inside) < 0.1 * _laplacian_variance(image, inside)
    changed = (out != image).any(axis=2)
    assert changed[:, 100:].any() and changed[:, :40].any() and not changed[:, 60:110].all()


def test_low_visibility_face_points_are_left_out_unless_too_few() -> None:
    xy = _face(100, 100, 40)
    xy[8] = (400, 100)  # a wild right-ear estimate far from the face
    vis = np.ones(33)
    vis[8] = 0.01
    (cx, _), (rx, _) = face_ellipse(xy, vis)
    assert cx < 110 and rx < 60  # the wild point did not stretch the ellipse
    vis[:11] = 0.01
    vis[0] = 0.9  # one confident point is not enough: all finite points are used
    (cx, _), (rx, _) = face_ellipse(xy, vis)
    assert rx > 250


@pytest.fixture(scope="module")
def warrior_annotated(shared_media: Path, tmp_path_factory: pytest.TempPathFactory):
    """The Warrior II photo annotated twice, without and with --blur-faces."""
    out = tmp_path_factory.mktemp("blur")
    photo = shared_media / WARRIOR
    plain = analyse(photo, annotated_path=out / "plain.png")
    blurred = analyse(photo, annotated_path=out / "blurred.png", blur_faces=True)
    return photo, out, plain, blurred


def test_annotated_photo_has_the_face_blurred_and_the_rest_unchanged(warrior_annotated) -> None:
    _, out, plain, _ = warrior_annotated
    a = np.asarray(Image.open(out / "plain.png").convert("RGB"))
    b = np.asarray(Image.open(out / "blurred.png").convert("RGB"))
    assert a.shape == b.shape == (667, 1000, 3)
    scale = a.shape[1] / plain.pose.width_px
    ellipse = face_ellipse(plain.pose.xy_px[0] * scale, plain.pose.visibility[0])
    inside, outside = _ellipse_masks(a.shape, ellipse)
    assert inside.sum() > 500  # a real head, not a dot
    assert np.array_equal(a[outside], b[outside])
    ratio = _laplacian_variance(b, inside) / _laplacian_variance(a, inside)
    assert ratio < 0.25, ratio


def test_cli_blur_faces_flag_gives_the_same_picture(warrior_annotated, tmp_path: Path) -> None:
    photo, out, _, _ = warrior_annotated
    target = tmp_path / "cli.png"
    run = subprocess.run(
        [sys.executable, "-m", "posture", "analyse", str(photo), "--annotated", str(target),
         "--blur-faces"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert np.array_equal(np.asarray(Image.open(target)), np.asarray(Image.open(out /
                                                                              "blurred.png")))


def test_annotated_video_has_the_face_blurred_in_every_frame(shared_media: Path,
                                                              tmp_path: Path) -> None:
    scene = place_on_canvas(load_photo(shared_media / WARRIOR, 400), 480, 320)
    video = write_video(tmp_path / "clip.mp4", [scene] * 4)
    plain = analyse(video, annotated_path=tmp_path / "plain.mp4")
    analyse(video, annotated_path=tmp_path / "blurred.mp4", blur_faces=True)
    with open_media(tmp_path / "plain.mp4") as a, open_media(tmp_path / "blurred.mp4") as b:
        pairs = list(zip(a, b, strict=True))
    assert len(pairs) == 4
    for k, (fa, fb) in enumerate(pairs):
        scale = fa.image_rgb.shape[1] / plain.pose.width_px
        ellipse = face_ellipse(plain.pose.xy_px[k] * scale, plain.pose.visibility[k])
        inside, outside = _ellipse_masks(fa.image_rgb.shape, ellipse, pad_px=8)
        ratio = (_laplacian_variance(fb.image_rgb, inside)
                 / _laplacian_variance(fa.image_rgb, inside))
        assert ratio < 0.35, (k, ratio)
        # away from the head only encoder noise differs
        diff = np.abs(fa.image_rgb.astype(int) - fb.image_rgb.astype(int))[outside]
        assert diff.mean() < 1.5, (k, diff.mean())


# ------------------------------------------------------------------------ no outside connection

_RECORDER = textwrap.dedent('''
    """Test hook: record every socket connect/sendto and name lookup; refuse outside ones."""
    import ipaddress, json, os, socket, threading

    _LOG = os.environ["POSTURE_CONNECT_LOG"]
    _LOCK = threading.Lock()
    _LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


    def _record(**event):
        event["pid"] = os.getpid()
        with _LOCK, open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(event) + "\\n")


    def _is_local(family, address):
        if family == getattr(socket, "AF_UNIX", object()):
            return True
        host = address[0] if isinstance(address, tuple) else address
        if host is None or str(host).lower() in _LOCAL_NAMES:
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False


    def _guard(call, sock, address):
        local = _is_local(sock.family, address)
        _record(call=call, family=int(sock.family), address=repr(address), local=local)
        if not local:
            raise PermissionError(f"outside connection refused by the test: {address!r}")


    _connect, _connect_ex, _sendto = (socket.socket.connect, socket.socket.connect_ex,
                                      socket.socket.sendto)


    def connect(self, address):
        _guard("connect", self, address)
        return _connect(self, address)


    def connect_ex(self, address):
        _guard("connect_ex", self, address)
        return _connect_ex(self, address)


    def sendto(self, data, *args):
        _guard("sendto", self, args[-1])
        return _sendto(self, data, *args)


    _getaddrinfo = socket.getaddrinfo


    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        _record(call="getaddrinfo", address=repr(name), local=_is_local(None, name))
        return _getaddrinfo(host, *args, **kwargs)


    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = (
        connect, connect_ex, sendto)
    socket.getaddrinfo = getaddrinfo
    _record(call="start", local=True)
''')


@pytest.fixture
def recorder(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """(environment for a recorded subprocess, its log)."""
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(_RECORDER, encoding="utf-8")
    log = tmp_path / "connections.jsonl"
    log.touch()
    path = os.pathsep.join(p for p in (str(hook_dir), str(PROJECT_ROOT),
                                       os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, PYTHONPATH=path, POSTURE_CONNECT_LOG=str(log),
               POSTURE_DB=str(tmp_path / "sessions.sqlite3"))
    return env, log


def _events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _outside(events: list[dict]) -> list[dict]:
    return [e for e in events if not e["local"]]


def test_the_recorder_catches_an_outside_connection(recorder) -> None:
    env, log = recorder
    script = ("import socket\n"
              "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=0.5)\n"
              "except PermissionError as e:\n    print('refused', e)\n")
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=60)
    assert "refused" in run.stdout, run.stderr
    outside = _outside(_events(log))
    assert [e["call"] for e in outside] == ["getaddrinfo", "connect"]
    assert all("192.0.2.1" in e["address"] for e in outside)


def test_analysis_and_app_upload_make_no_outside_connection(recorder, tmp_path: Path) -> None:
    env, log = recorder
    clip = make_video(tmp_path / "clip.mp4", n_frames=6, width_px=160, height_px=120)
    script = textwrap.dedent(f"""
        from pathlib import Path
        from posture.cli import main
        from ui.engine import analyse_upload

        out = Path({str(tmp_path)!r})
        status = main(["analyse", {str(clip)!r}, "--json", str(out / "r.json"),
                       "--annotated", str(out / "a.mp4"), "--blur-faces"])
        result = analyse_upload(Path({str(clip)!r}).read_bytes(), "clip.mp4")
        print("STATUS", status, result.ok, result.error)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert "STATUS 0 True None" in run.stdout, run.stderr[-2000:]
    events = _events(log)
    assert events[0]["call"] == "start"
    assert _outside(events) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_page(port: int, query: str) -> tuple[bool, int, list[str]]:
    """Run app.py once over the app's websocket, as a browser tab does.

    Returns (usage statistics enabled, script-finished status, exception messages)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    gather, status, problems = True, -1, []
    with connect(f"ws://localhost:{port}/_stcore/stream", subprotocols=["streamlit"],
                 origin=f"http://localhost:{port}", max_size=None, open_timeout=30) as ws:
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_script_hash = ""
        ws.send(message.SerializeToString())
        while status < 0:
            forward = ForwardMsg()
            forward.ParseFromString(ws.recv(timeout=120))
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                gather = forward.new_session.config.gather_usage_stats
            elif kind == "delta" and forward.delta.new_element.WhichOneof("type") == "exception":
                problems.append(forward.delta.new_element.exception.message)
            elif kind == "script_finished":
                status = forward.script_finished
    return gather, status, problems


def test_app_server_makes_no_outside_connection(recorder, tmp_path: Path) -> None:
    """``streamlit run app.py`` with the project's own settings, every page rendered."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    env, log = recorder
    port = _free_port()
    server_log = (tmp_path / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    try:
        url = f"http://localhost:{port}"
        for _ in range(240):
            assert proc.poll() is None, (tmp_path / "streamlit.log").read_text()
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        with urllib.request.urlopen(url, timeout=10) as resp:
            html = resp.read().decode("utf-8")
        # the page loads nothing from elsewhere
        assert not re.findall(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html)
        for query in ("", "mode=upload", "mode=live", "mode=session"):
            gather, status, problems = _run_page(port, query)
            assert gather is False, "usage statistics would be sent by the browser"
            assert status == ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY, query
            assert problems == [], (query, problems)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        server_log.close()
    events = _events(log)
    assert any(e["call"] == "start" and e["pid"] == proc.pid for e in events)
    assert _outside(events) == []


# ----------------------------------------------------------------------------- temporary files


def test_uploads_and_outputs_are_removed_after_use(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from ui import engine

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen: list[tuple[Path, bytes]] = []
    real_analyse_file = engine.analyse_file

    def spy(path, **kwargs):
        seen.append((Path(path), Path(path).read_bytes()))
        return real_analyse_file(path, **kwargs)

    monkeypatch.setattr(engine, "analyse_file", spy)
    good = make_video(tmp_path / "good.mp4", n_frames=4, width_px=160, height_px=120)
    bad = make_random_bytes(tmp_path / "bad.mp4")
    assert engine.analyse_upload(good.read_bytes(), "../../etc/good clip.mp4").ok
    assert engine.analyse_upload(bad.read_bytes(), "bad.mp4").error
    # an engine crash is logged and apologised for; the files still go
    monkeypatch.setattr("posture.analyse", lambda *a, **k: (_ for _ in ()).throw(RuntimeError))
    crashed = engine.analyse_upload(good.read_bytes(), "good.mp4")
    assert crashed.error == engine.APOLOGY
    assert [data for _, data in seen] == [good.read_bytes(), bad.read_bytes(), good.read_bytes()]
    for path, _ in seen:
        assert path.parent.parent == scratch  # inside the private temp folder, no escape
        assert not path.exists()
    assert list(scratch.iterdir()) == []  # uploads and annotated outputs all gone


# ----------------------------------------------------------------------------- safety wording


@pytest.fixture(scope="module")
def red_flag_run(tmp_path_factory: pytest.TempPathFactory):
    """A CLI run with symptom answers that raise a red flag."""
    out = tmp_path_factory.mktemp("flags")
    clip = make_video(out / "clip.mp4", n_frames=4, width_px=160, height_px=120)
    answers = out / "symptoms.json"
    answers.write_text(json.dumps({"swelling_one_leg": True, "pain_character": "stabbing"}),
                       encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "posture", "analyse", str(clip), "--symptoms", str(answers),
         "--json", str(out / "r.json")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    return run, json.loads((out / "r.json").read_text(encoding="utf-8"))


def test_cli_summary_prints_red_flags_before_anything_else(red_flag_run) -> None:
    run, report = red_flag_run
    flags = report["red_flags"]
    assert len(flags) >= 2
    lines = run.stdout.splitlines()
    assert [line.startswith("!! ") for line in lines[: len(flags)]] == [True] * len(flags)
    assert not any(line.startswith("!! ") for line in lines[len(flags):])
    for flag, line in zip(flags, lines, strict=False):
        assert flag["title"] in line


def test_app_shows_red_flags_before_the_findings(shared_media: Path) -> None:
    from streamlit.testing.v1 import AppTest

    analysis = analyse(load_photo(shared_media / WARRIOR, 400),
                       symptoms=Symptoms(swelling_one_leg=True))
    report = analysis.report.to_dict()
    assert report["red_flags"] and len(report["findings"]) == 5

    def page(report: dict, root: str) -> None:
        import sys

        sys.path.insert(0, root)
        from ui.engine import EngineResult
        from ui.results import show_result

        show_result(EngineResult(report=report, source_name="photo.jpg"), key="t")

    app = AppTest.from_function(page, args=(report, str(PROJECT_ROOT)), default_timeout=60)
    app.run()
    assert not app.exception
    shown = [node for node in app.main if getattr(node, "type", "") in
             ("error", "markdown", "subheader", "metric")]
    assert shown[0].type == "error"
    assert all(flag["title"] in shown[0].value for flag in report["red_flags"])
    findings_at = next(i for i, n in enumerate(shown) if n.type == "subheader"
                       and n.value == "Findings")
    assert findings_at > 0


def test_engine_wording_never_diagnoses(red_flag_run, shared_media: Path) -> None:
    """Every sentence the engine writes for users: findings, summary, red flags, summary
    print-out; checked with the same phrase list as the knowledge base's texts."""
    from test_explanations import diagnostic_phrases_in

    run, report = red_flag_run
    photo = analyse(shared_media / WARRIOR, symptoms=Symptoms(swelling_one_leg=True))
    texts = [run.stdout]
    for rep in (report, photo.report.to_dict()):
        texts += [f["message"] for f in rep["findings"]]
        texts += rep["summary"]["messages"] + [rep["summary"]["subject_selection"]]
        texts += [f["message"] for f in rep["red_flags"]] + [rep["disclaimer"]]
    assert any("not a diagnosis" in t for t in texts)
    flagged = {t[:80]: diagnostic_phrases_in(t) for t in texts if diagnostic_phrases_in(t)}
    assert flagged == {}
