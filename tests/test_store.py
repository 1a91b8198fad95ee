"""The screening-session store on both databases: SQLite (a file) and PostgreSQL (a server).

Every test taking ``backend`` runs twice. The PostgreSQL server is ``$POSTURE_TEST_PG_URL``
if set, else a throwaway cluster this module starts with Debian's binaries
(``/usr/lib/postgresql/*/bin``) and stops afterwards; each test gets its own schema on it.
Where PostgreSQL is not installed those runs skip, saying so.

SQLite-only matters (old files and their migration, WAL, secure delete) are in
``test_store_sqlite.py``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from store_reports import step_report

from store import SCHEMA_VERSION, SessionStore, StoreError, default_db_path, pg_local
from store.backend import dispose_engines, resolve_target

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PG_URL_ENV = "POSTURE_TEST_PG_URL"
TABLES = ("patients", "sessions", "steps", "media", "annotations")


# --- the PostgreSQL server ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL URL for the whole run: the given one, or a local throwaway cluster."""
    given = os.environ.get(PG_URL_ENV)
    if given:
        yield given
        return
    if pg_local.find_bin() is None:
        pytest.skip(f"PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and "
                    f"{PG_URL_ENV} is not set")
    folder = Path(tempfile.mkdtemp(prefix="posture-pg-"))
    try:
        url = pg_local.start(folder)
    except pg_local.PgLocalError as exc:
        pg_local.stop(folder)
        pytest.fail(str(exc))
    try:
        yield url
    finally:
        dispose_engines()
        pg_local.stop(folder)


def _admin(url: str):  # noqa: ANN202 - an Engine
    return create_engine(resolve_target(url).pg_url, isolation_level="AUTOCOMMIT")


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty schema on the server: the URL selects it through search_path."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = _admin(pg_server)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in pg_server else "?"
    try:
        yield f"{pg_server}{sep}options=-csearch_path%3D{name}"
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()


@dataclass
class Backend:
    """One database and ways to open "workstations" on it (each with its own media folder)."""

    name: str
    db: str  # a file path or a URL, as POSTURE_DB would hold it
    tmp: Path

    def store(self, workstation: str = "ws1") -> SessionStore:
        return SessionStore(self.db, media_dir=self.tmp / f"{workstation}-media")

    def count(self, table: str, where: str = "") -> int:
        engine = create_engine(resolve_target(self.db).pg_url) if self.name == "postgresql" \
            else create_engine(f"sqlite:///{self.db}")
        try:
            with engine.connect() as conn:
                return int(conn.execute(text(f"SELECT COUNT(*) FROM {table} {where}")).scalar())
        finally:
            engine.dispose()

    def sql(self, statement: str) -> None:
        engine = create_engine(resolve_target(self.db).pg_url) if self.name == "postgresql" \
            else create_engine(f"sqlite:///{self.db}")
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", str(tmp_path / "s.sqlite3"), tmp_path)
        dispose_engines()
    else:
        yield Backend("postgresql", request.getfixturevalue("pg_url"), tmp_path)


# --- behaviour, on both databases ---------------------------------------------------------


def test_save_and_load_roundtrip(backend: Backend) -> None:
    store = backend.store()
    sid = store.save_session(
        "P-01",
        {"standing_side": step_report(12.5), "walking_side": step_report(3.0)},
        symptoms={"sudden_onset": True},
        note="first visit",
        media={"standing_side": {"key_frame_0.png": b"\x89PNG fake"}},
    )
    record = store.get_session(sid)
    assert record.patient_code == "P-01"
    assert record.note == "first visit"
    assert record.symptoms == {"sudden_onset": True}
    assert record.steps["standing_side"]["findings"][0]["value"] == 12.5
    assert list(record.steps) == ["standing_side", "walking_side"]
    assert record.media[0].path.read_bytes() == b"\x89PNG fake"
    assert record.annotations == {}
    assert store.list_patients() == ["P-01"]
    assert store.schema_version() == SCHEMA_VERSION
    assert store.integrity_ok()


def test_another_workstation_sees_the_images(backend: Backend) -> None:
    # Five treatment rooms, one server: a key frame saved in room 1 shows in room 2, whose
    # media folder is a different (empty) folder; the bytes come from the database.
    room1, room2 = backend.store("room1"), backend.store("room2")
    video = backend.tmp / "clip.mp4"
    video.write_bytes(b"video bytes " * 1000)
    sid = room1.save_session("P-01", {"standing_side": step_report(1.0)}, media={
        "standing_side": {"key_frame_0.png": b"png-1", "annotated_video": video}})
    shutil.rmtree(room1.media_dir)  # nothing left on room 1's disk either
    record = room2.get_session(sid)
    assert {m.kind: m.path.read_bytes() for m in record.media} == {
        "key_frame_0.png": b"png-1", "annotated_video": video.read_bytes()}
    assert all(room2.media_dir in m.path.parents for m in record.media)
    # a cached file that went bad (truncated) is fetched again
    record.media[1].path.write_bytes(b"short")
    assert room2.get_session(sid).media[1].path.read_bytes() == video.read_bytes()
    assert room1.get_session(sid).media[0].path.read_bytes() == b"png-1"


def test_previous_session_and_history_order(backend: Backend) -> None:
    store = backend.store()
    first = store.save_session("P1", {"standing_side": step_report(15.0)})
    other = store.save_session("P2", {"standing_side": step_report(1.0)})
    second = store.save_session("P1", {"standing_side": step_report(9.0)})
    assert [s.id for s in store.list_sessions("P1")] == [second, first]
    assert store.previous_session(second).id == first
    assert store.previous_session(first) is None
    assert store.previous_session(other) is None


def test_saving_the_same_session_twice_updates_it(backend: Backend) -> None:
    store = backend.store()
    first = store.save_session(
        "P1", {"standing_side": step_report(12.0)}, note="draft",
        media={"standing_side": {"key_frame_0.png": b"old png"}}, session_uid="uid-a",
        annotations={"standing_side": {"plumb_line": {"x_px": 10}}},
    )
    [old_file] = [m.path for m in store.get_session(first).media]
    again = store.save_session(
        "P1", {"standing_side": step_report(12.0), "walking_side": step_report(3.0)}, note="final",
        media={"walking_side": {"key_frame_0.png": b"new png"}}, session_uid="uid-a",
        annotations={"walking_side": {"key_frame": {"index": 3}}},
    )
    assert again == first
    [record] = store.list_sessions("P1")
    assert record.id == first and record.uid == "uid-a"
    assert record.note == "final"
    assert set(record.steps) == {"standing_side", "walking_side"}
    assert record.updated_at is not None and record.updated_at >= record.created_at
    # replaced like the steps: the first save's annotation is gone
    assert record.annotations == {"walking_side": {"key_frame": {"index": 3}}}
    # the replaced save's files are gone, the new ones are there
    assert not old_file.exists()
    assert [m.path.read_bytes() for m in record.media] == [b"new png"]
    assert store.session_id_for_uid("uid-a") == first
    assert store.session_id_for_uid("uid-b") is None
    assert [backend.count(t) for t in ("sessions", "steps", "media", "annotations")] == [
        1, 2, 1, 1]


def test_a_new_session_for_the_same_patient_is_a_new_row(backend: Backend) -> None:
    store = backend.store()
    first = store.save_session("P1", {"standing_side": step_report(12.0)}, session_uid="uid-1")
    second = store.save_session("P1", {"standing_side": step_report(2.0)}, session_uid="uid-2")
    assert second != first
    assert [s.id for s in store.list_sessions("P1")] == [second, first]
    assert store.previous_session(second).id == first


def test_a_uid_cannot_move_a_session_to_another_patient(backend: Backend) -> None:
    store = backend.store()
    store.save_session("P1", {"standing_side": step_report(12.0)}, session_uid="uid-1")
    with pytest.raises(StoreError, match="another patient"):
        store.save_session("P2", {"standing_side": step_report(1.0)}, session_uid="uid-1")
    assert store.list_patients() == ["P1"]  # the refused save's patient row rolled back


def test_previous_session_skips_twins_saved_by_old_versions(backend: Backend) -> None:
    store = backend.store()
    visit_1 = store.save_session("P1", {"standing_side": step_report(11.7)})
    visit_2 = store.save_session("P1", {"standing_side": step_report(0.2)})
    twin = store.save_session("P1", {"standing_side": step_report(0.2)})
    assert store.previous_session(twin).id == visit_1
    assert store.previous_session(visit_2).id == visit_1
    assert store.previous_session(visit_1) is None


def test_clinic_settings_are_kept(backend: Backend) -> None:
    store = backend.store()
    assert store.get_settings() == {}
    store.set_settings({"clinic": "Physio am Markt", "clinician": " A. Weber "})
    assert backend.store("ws2").get_settings() == {"clinic": "Physio am Markt",
                                                   "clinician": "A. Weber"}
    store.set_settings({"clinician": ""})
    assert store.get_settings() == {"clinic": "Physio am Markt"}


def test_annotations_round_trip_and_set_annotation(backend: Backend) -> None:
    store = backend.store()
    corrections = {"left_knee": {"x_px": 311.5, "y_px": 402.0, "frame": 17}}
    sid = store.save_session(
        "P1", {"standing_side": step_report(5.0), "walking_side": step_report(1.0)},
        annotations={
            "standing_side": {"corrections": corrections, "plumb_line": {"x_px": 300},
                              "goniometer": None},  # None: not stored
            "walking_side": {"key_frame": {"index": 42}},
        },
    )
    record = backend.store("ws2").get_session(sid)
    assert record.annotations == {
        "standing_side": {"corrections": corrections, "plumb_line": {"x_px": 300}},
        "walking_side": {"key_frame": {"index": 42}},
    }
    assert record.updated_at is None
    # a clinician corrects a landmark in the stored session, measures an angle, removes the
    # plumb line
    store.set_annotation(sid, "standing_side", "corrections", {"left_knee": {"x_px": 1.0}})
    store.set_annotation(sid, "standing_side", "goniometer", [{"angle_deg": 12.5}])
    store.set_annotation(sid, "standing_side", "plumb_line", None)
    store.set_annotation(sid, "walking_side", "plumb_line", None)  # absent: nothing to do
    record = store.get_session(sid)
    assert record.annotations == {
        "standing_side": {"corrections": {"left_knee": {"x_px": 1.0}},
                          "goniometer": [{"angle_deg": 12.5}]},
        "walking_side": {"key_frame": {"index": 42}},
    }
    assert record.updated_at is not None
    assert backend.count("annotations") == 3
    assert record.steps["standing_side"] == step_report(5.0)  # the steps are untouched
    with pytest.raises(StoreError, match="does not exist"):
        store.set_annotation(sid + 999, "standing_side", "plumb_line", {"x_px": 1})
    with pytest.raises(TypeError):
        store.set_annotation(sid, "standing_side", "plumb_line", {"x": object()})
    assert store.get_session(sid).annotations == record.annotations


def test_delete_patient_removes_rows_and_files(backend: Backend) -> None:
    store, other_room = backend.store(), backend.store("room2")
    video = backend.tmp / "clip.mp4"
    video.write_bytes(b"not really a video but bytes to copy")
    for i in range(2):
        sid = store.save_session(
            "GONE", {"standing_side": step_report(5.0)}, note="to delete",
            media={"standing_side": {"annotated_video": video, "key_frame_0.png": b"png"}},
            annotations={"standing_side": {"plumb_line": {"x_px": i}}}, session_uid=f"g{i}",
        )
        store.set_annotation(sid, "standing_side", "goniometer", {"angle_deg": 3})
    store.set_settings({"clinic": "Physio am Markt"})
    kept = store.save_session("KEEP", {"standing_side": step_report(1.0)},
                              media={"standing_side": {"key_frame_0.png": b"png"}},
                              annotations={"standing_side": {"key_frame": {"index": 1}}})
    gone_files = [m.path for s in store.list_sessions("GONE") for m in s.media]
    # the other room has looked at the patient too, so its media folder holds copies
    other_files = [m.path for s in other_room.list_sessions("GONE") for m in s.media]
    assert len(gone_files) == 4 and all(p.is_file() for p in gone_files + other_files)

    assert store.delete_patient("GONE") == 2

    assert store.list_patients() == ["KEEP"]
    assert not any(p.exists() for p in gone_files)
    assert not (store.media_dir / "GONE").exists()
    assert store.get_session(kept).media[0].path.is_file()
    assert [backend.count(t) for t in TABLES] == [1, 1, 1, 1, 1]
    assert store.get_settings() == {"clinic": "Physio am Markt"}  # settings untouched
    # the other room's copies go the next time it lists the patients
    assert other_room.list_patients() == ["KEEP"]
    assert not any(p.exists() for p in other_files)
    assert not (other_room.media_dir / "GONE").exists()
    assert other_room.get_session(kept).media[0].path.read_bytes() == b"png"
    assert video.is_file()  # the caller's own file is not the store's to delete
    assert store.delete_patient("GONE") == 0
    assert store.integrity_ok()


def test_failed_save_leaves_nothing(backend: Backend) -> None:
    store = backend.store()

    class Unserialisable:
        pass

    with pytest.raises(TypeError):
        store.save_session(
            "P1", {"a": step_report(1.0), "b": {"x": Unserialisable()}},
            media={"a": {"key_frame_0.png": b"png"}},
        )
    with pytest.raises(TypeError):
        store.save_session("P1", {"a": step_report(1.0)},
                           annotations={"a": {"plumb_line": Unserialisable()}})
    assert store.list_patients() == []
    assert [backend.count(t) for t in TABLES] == [0, 0, 0, 0, 0]
    assert not (store.media_dir / "P1").exists() or not any((store.media_dir / "P1").iterdir())


def test_an_error_inside_the_transaction_rolls_everything_back(backend: Backend) -> None:
    class Failing(SessionStore):
        def _before_commit(self, conn) -> None:  # noqa: ANN001
            raise RuntimeError("disk on fire")

    store = backend.store()
    sid = store.save_session("P1", {"a": step_report(1.0)}, session_uid="u", note="good")
    failing = Failing(backend.db, media_dir=store.media_dir)
    with pytest.raises(RuntimeError):
        failing.save_session("P1", {"b": step_report(2.0)}, session_uid="u", note="bad",
                             media={"b": {"key_frame_0.png": b"png"}},
                             annotations={"b": {"plumb_line": {}}})
    with pytest.raises(RuntimeError):
        failing.save_session("P2", {"b": step_report(2.0)}, note="bad")
    [record] = store.list_sessions("P1")
    assert (record.id, record.note, set(record.steps), record.media, record.annotations) == (
        sid, "good", {"a"}, [], {})
    assert store.list_patients() == ["P1"]
    assert not (store.media_dir / "P1").exists()


def test_newer_schema_is_refused_with_a_message(backend: Backend) -> None:
    backend.store()
    if backend.name == "sqlite":
        backend.sql(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    else:
        backend.sql(f"UPDATE schema_meta SET value = '{SCHEMA_VERSION + 1}' "
                    "WHERE key = 'schema_version'")
    dispose_engines()
    with pytest.raises(StoreError, match="newer version"):
        backend.store()


def test_many_copies_of_the_app_starting_at_once_migrate_once(backend: Backend) -> None:
    # Five workstations switched on at 8:00 against an empty database.
    errors: list[BaseException] = []
    barrier = threading.Barrier(5)

    def start(i: int) -> None:
        barrier.wait()
        try:
            backend.store(f"ws{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = backend.store()
    assert store.schema_version() == SCHEMA_VERSION
    assert backend.count("schema_meta") == 1
    store.save_session("P1", {"a": step_report(1.0)})
    assert store.integrity_ok()


def test_two_connections_saving_at_once_lose_nothing(backend: Backend) -> None:
    backend.store()
    per_thread = 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(code: str) -> None:
        store = backend.store(code)  # its own connections, as two browser sessions have
        barrier.wait()
        try:
            for i in range(per_thread):
                store.save_session(code, {"standing_side": step_report(float(i))}, note=str(i))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(c,)) for c in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = backend.store()
    for code in ("A", "B"):
        notes = sorted(int(s.note) for s in store.list_sessions(code))
        assert notes == list(range(per_thread))


def test_a_second_save_of_the_same_session_waits_for_the_first(backend: Backend) -> None:
    # Deterministic version of the race: room 1's save of session "u" is inside its
    # transaction (not committed) when room 2 saves "u" too. Room 2 must wait, then update
    # room 1's session: one session, room 2's content, nothing of room 1's left over.
    inside, release = threading.Event(), threading.Event()

    class Paused(SessionStore):
        def _before_commit(self, conn) -> None:  # noqa: ANN001
            inside.set()
            assert release.wait(30)

    # The patient exists already, so the second save does not queue up behind the first
    # one's new patient row: the session's own uid must do it.
    backend.store().save_session("P1", {"earlier": step_report(3.0)}, note="earlier visit")
    room1 = Paused(backend.db, media_dir=backend.tmp / "room1")
    room2 = backend.store("room2")
    results: dict[str, int] = {}

    def save(name: str, store: SessionStore) -> None:
        results[name] = store.save_session(
            "P1", {name: step_report(1.0)}, session_uid="u", note=name,
            media={name: {"key_frame_0.png": name.encode()}},
            annotations={name: {"plumb_line": {"by": name}}})

    first = threading.Thread(target=save, args=("room1", room1), daemon=True)
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=save, args=("room2", room2), daemon=True)
    second.start()
    second.join(1.0)
    assert second.is_alive(), "the second save did not wait for the first one's commit"
    release.set()
    first.join(30)
    second.join(30)
    assert results["room1"] == results["room2"]
    record, _earlier = room2.list_sessions("P1")
    assert (record.note, set(record.steps), set(record.annotations)) == (
        "room2", {"room2"}, {"room2"})
    assert [m.path.read_bytes() for m in record.media] == [b"room2"]
    assert [backend.count(t) for t in TABLES] == [1, 2, 2, 1, 1]


_WRITER_SCRIPT = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from store import SessionStore

db, media_dir, name, other, folder, n = sys.argv[1:7]
store = SessionStore(db, media_dir=media_dir)

def meet(i):
    # both writers start save i together (a barrier between the two processes)
    Path(folder, f"{{name}}-{{i}}").touch()
    deadline = time.monotonic() + 60
    while not Path(folder, f"{{other}}-{{i}}").exists():
        if time.monotonic() > deadline:
            sys.exit(f"{{name}}: the other writer stopped before save {{i}}")
        time.sleep(0.002)

for i in range(int(n)):
    meet(i)
    # the same session as the other writer, saved at the same moment ...
    store.save_session("SHARED", {{"a": {{"by": name, "i": i}}, "b": {{"by": name, "i": i}}}},
                       note=name, session_uid=f"same-{{i}}",
                       media={{"a": {{"key_frame_0.png": name.encode() * 50}}}},
                       annotations={{"a": {{"plumb_line": {{"by": name}}}}}})
    # ... and one of its own
    store.save_session(name, {{"a": {{"i": i}}}}, note=str(i), session_uid=f"{{name}}-{{i}}")
print("DONE", flush=True)
"""


def test_two_processes_saving_at_once_lose_and_duplicate_nothing(backend: Backend) -> None:
    # The patient exists already, so the two saves do not queue up behind its row.
    backend.store().save_session("SHARED", {"a": {"by": "setup"}}, note="setup")
    n = 12
    meet = backend.tmp / "meet"
    meet.mkdir()
    script = _WRITER_SCRIPT.format(root=str(PROJECT_ROOT))
    procs = [
        subprocess.Popen([sys.executable, "-c", script, backend.db,
                          str(backend.tmp / f"{name}-media"), name, other, str(meet), str(n)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, other in (("W1", "W2"), ("W2", "W1"))
    ]
    try:
        outs = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outs]
    store = backend.store()
    shared = [s for s in store.list_sessions("SHARED") if s.note != "setup"]
    assert sorted(s.uid for s in shared) == sorted(f"same-{i}" for i in range(n))
    for record in shared:
        # each session is wholly one writer's save: never steps of one and media of the other
        writer = record.note
        assert writer in ("W1", "W2")
        assert {k: v["by"] for k, v in record.steps.items()} == {"a": writer, "b": writer}
        assert record.annotations == {"a": {"plumb_line": {"by": writer}}}
        assert [m.path.read_bytes() for m in record.media] == [writer.encode() * 50]
    for name in ("W1", "W2"):
        assert sorted(int(s.note) for s in store.list_sessions(name)) == list(range(n))
    assert backend.count("sessions") == 3 * n + 1
    assert backend.count("steps") == 2 * n + 2 * n + 1
    assert backend.count("media") == n and backend.count("annotations") == n
    assert store.integrity_ok()


_KILL_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from store import SessionStore

calls = {{"n": 0}}

class Paused(SessionStore):
    def _before_commit(self, conn):
        calls["n"] += 1
        if calls["n"] == 3:  # the third save: everything written, not committed
            print("MID-SAVE", flush=True)
            time.sleep(120)

store = Paused(sys.argv[1], media_dir=sys.argv[2])
for i in range(5):
    store.save_session("KILL", {{"a": {{"i": i}}, "b": {{"i": i}}, "c": {{"i": i}}}}, note=str(i),
                       session_uid=f"kill-{{i}}", media={{"a": {{"key_frame_0.png": b"png"}}}},
                       annotations={{"a": {{"plumb_line": {{"i": i}}}}}})
    print("SAVED", i, flush=True)
"""


def test_process_killed_mid_save_leaves_no_half_session(backend: Backend) -> None:
    media_dir = backend.tmp / "killed-media"
    backend.store()
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT.format(root=str(PROJECT_ROOT)), backend.db,
         str(media_dir)],
        stdout=subprocess.PIPE, text=True,
    )
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("MID-SAVE"):
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert lines == ["SAVED 0", "SAVED 1", "MID-SAVE"]

    store = SessionStore(backend.db, media_dir=media_dir)
    assert store.integrity_ok()
    sessions = store.list_sessions("KILL")
    # exactly the two committed sessions, each complete; nothing of the third
    assert sorted(s.note for s in sessions) == ["0", "1"]
    assert all(set(s.steps) == {"a", "b", "c"} and s.annotations for s in sessions)
    assert [backend.count(t) for t in ("sessions", "steps", "media", "annotations")] == [
        2, 6, 2, 2]
    # media bytes are written to the folder only after COMMIT: the killed save left none;
    # a folder no row points at (as an old version's crash left them) is swept
    stray = media_dir / "KILL" / "0123abcd"
    stray.mkdir(parents=True)
    (stray / "a-key_frame_0.png").write_bytes(b"png")
    assert store.sweep_orphan_media() == 1
    assert not stray.exists()
    assert all(m.path.is_file() for s in sessions for m in s.media)
    # the killed writer's locks are gone: its session saves at once, exactly once
    done = threading.Event()
    threading.Thread(target=lambda: (store.save_session(
        "KILL", {"a": {}}, note="after", session_uid="kill-2"), done.set()), daemon=True).start()
    assert done.wait(20), "the killed writer's transaction still holds its locks"
    assert sorted(s.note for s in store.list_sessions("KILL")) == ["0", "1", "after"]


def test_bad_locations_give_one_line_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              ) -> None:
    with pytest.raises(StoreError, match="SQLite file path or a postgresql:// URL"):
        SessionStore("mysql://user@host/db")
    with pytest.raises(StoreError, match="database name"):
        SessionStore("postgresql://user@localhost")
    port = _free_port()  # nothing listens there
    with pytest.raises(StoreError) as info:
        SessionStore(f"postgresql://someone:secret-pw@127.0.0.1:{port}/posture",
                     media_dir=tmp_path / "m")
    message = str(info.value)
    assert "could not be used" in message and "\n" not in message
    assert "secret-pw" not in message  # the password never shows on screen
    monkeypatch.setenv("POSTURE_DB", "postgresql://u:p@db.clinic.lan/posture")
    assert str(default_db_path()) == "postgresql://u:p@db.clinic.lan/posture"
