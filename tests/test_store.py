"""The screening-session store: transactions, WAL, migrations, deletion for good."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from store import SCHEMA_VERSION, SessionStore, StoreError, default_db_path, validate_patient_code

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _report(value: float) -> dict:
    return {
        "schema_version": "1",
        "findings": [
            {"id": "bent_knee", "status": "detected", "severity": "mild", "value": value,
             "unit": "deg"}
        ],
        "measurements": {"knee_flexion_left_deg": {"median": value, "unit": "deg"}},
    }


def test_save_and_load_roundtrip(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    sid = store.save_session(
        "P-01",
        {"standing_side": _report(12.5), "walking_side": _report(3.0)},
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
    assert store.list_patients() == ["P-01"]


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    conn = sqlite3.connect(store.db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_db_path_comes_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POSTURE_DB", str(tmp_path / "elsewhere.sqlite3"))
    assert default_db_path() == tmp_path / "elsewhere.sqlite3"
    monkeypatch.delenv("POSTURE_DB")
    assert default_db_path() == Path("data") / "posture.sqlite3"


@pytest.mark.parametrize("bad", ["", "Anna Schmidt", "P/01", "../x", "a" * 33, "Zoë"])
def test_patient_code_rejects_names_and_paths(bad: str) -> None:
    with pytest.raises(StoreError):
        validate_patient_code(bad)


def test_patient_code_accepts_pseudonyms() -> None:
    assert validate_patient_code("  P-0042_b ") == "P-0042_b"


def test_previous_session_and_history_order(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    first = store.save_session("P1", {"standing_side": _report(15.0)})
    other = store.save_session("P2", {"standing_side": _report(1.0)})
    second = store.save_session("P1", {"standing_side": _report(9.0)})
    assert [s.id for s in store.list_sessions("P1")] == [second, first]
    assert store.previous_session(second).id == first
    assert store.previous_session(first) is None
    assert store.previous_session(other) is None


def test_two_connections_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    SessionStore(db)
    per_thread = 25
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(code: str) -> None:
        store = SessionStore(db)  # its own connections, as two browser sessions have
        barrier.wait()
        try:
            for i in range(per_thread):
                store.save_session(code, {"standing_side": _report(float(i))}, note=str(i))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(c,)) for c in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = SessionStore(db)
    for code in ("A", "B"):
        notes = sorted(int(s.note) for s in store.list_sessions(code))
        assert notes == list(range(per_thread))


def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    SessionStore(db)
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(PROJECT_ROOT)!r})
        from store import SessionStore
        store = SessionStore({str(db)!r})
        for i in range(20):
            store.save_session(sys.argv[1], {{"s": {{"i": i}}}}, note=str(i))
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, code]) for code in ("X", "Y")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = SessionStore(db)
    for code in ("X", "Y"):
        assert sorted(int(s.note) for s in store.list_sessions(code)) == list(range(20))


def _v1_database(path: Path) -> None:
    """A database as version 1 of the app left it: steps as one JSON column."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE patients (code TEXT PRIMARY KEY, created_at TEXT NOT NULL);
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            patient_code TEXT NOT NULL REFERENCES patients(code) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            steps_json TEXT NOT NULL DEFAULT '{}'
        );
        PRAGMA user_version = 1;
        """
    )
    conn.execute("INSERT INTO patients VALUES ('OLD-1', '2025-01-01T10:00:00+00:00')")
    conn.execute(
        "INSERT INTO sessions (patient_code, created_at, note, steps_json) VALUES (?, ?, ?, ?)",
        ("OLD-1", "2025-01-01T10:00:00+00:00", "old note",
         json.dumps({"standing_side": _report(20.0), "walking_side": _report(4.0)})),
    )
    conn.commit()
    conn.close()


def test_migration_from_v1_keeps_old_sessions(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    _v1_database(db)
    store = SessionStore(db)
    assert store.schema_version() == SCHEMA_VERSION
    [record] = store.list_sessions("OLD-1")
    assert record.note == "old note"
    assert record.symptoms == {}
    assert record.steps["standing_side"]["findings"][0]["value"] == 20.0
    assert set(record.steps) == {"standing_side", "walking_side"}
    # and the migrated database takes new sessions that compare with the old one
    new_id = store.save_session("OLD-1", {"standing_side": _report(10.0)})
    assert store.previous_session(new_id).id == record.id


def test_migration_from_v0_empty_file(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite3"
    sqlite3.connect(db).close()  # an existing file with no tables, user_version 0
    store = SessionStore(db)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.list_patients() == []


def test_newer_schema_is_refused_with_a_message(tmp_path: Path) -> None:
    db = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer version"):
        SessionStore(db)


def test_delete_patient_removes_rows_and_files(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not really a video but bytes to copy")
    secret = "UNIQUE-NOTE-TEXT-7f3a"
    for _ in range(2):
        store.save_session(
            "GONE", {"standing_side": _report(5.0)}, note=secret,
            media={"standing_side": {"annotated_video": video, "key_frame_0.png": b"png"}},
        )
    kept = store.save_session("KEEP", {"standing_side": _report(1.0)},
                              media={"standing_side": {"key_frame_0.png": b"png"}})
    gone_files = [m.path for s in store.list_sessions("GONE") for m in s.media]
    assert len(gone_files) == 4 and all(p.is_file() for p in gone_files)

    assert store.delete_patient("GONE") == 2

    assert store.list_patients() == ["KEEP"]
    assert not any(p.exists() for p in gone_files)
    assert not (store.media_dir / "GONE").exists()
    assert store.get_session(kept).media[0].path.is_file()
    conn = sqlite3.connect(store.db_path)
    for table in ("sessions", "steps", "media", "patients"):
        n = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        assert n == 1, table
    conn.close()
    # secure_delete + WAL checkpoint: the note's text is not left in the files either
    for path in store.db_path.parent.glob(store.db_path.name + "*"):
        assert secret.encode() not in path.read_bytes(), path.name
    assert video.is_file()  # the caller's own file is not the store's to delete


def test_failed_save_leaves_nothing(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")

    class Unserialisable:
        pass

    with pytest.raises(TypeError):
        store.save_session(
            "P1", {"a": _report(1.0), "b": {"x": Unserialisable()}},
            media={"a": {"key_frame_0.png": b"png"}},
        )
    assert store.list_patients() == []
    assert not (store.media_dir / "P1").exists() or not any((store.media_dir / "P1").iterdir())


_KILL_SCRIPT = """
import os, sys, time
sys.path.insert(0, {root!r})
from store import sessions
from store.sessions import SessionStore

store = SessionStore({db!r})
original = SessionStore._insert_step
calls = {{"n": 0}}

def slow_insert(conn, session_id, step_key, report):
    original(conn, session_id, step_key, report)
    calls["n"] += 1
    if calls["n"] == 2 * 3 + 2:  # in the middle of the third session (3 steps each)
        print("MID-SAVE", flush=True)
        time.sleep(60)

SessionStore._insert_step = staticmethod(slow_insert)
for i in range(5):
    store.save_session("KILL", {{"a": {{"i": i}}, "b": {{"i": i}}, "c": {{"i": i}}}}, note=str(i),
                       media={{"a": {{"key_frame_0.png": b"png"}}}})
    print("SAVED", i, flush=True)
"""


def test_process_killed_mid_save_leaves_db_consistent(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    SessionStore(db)
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT.format(root=str(PROJECT_ROOT), db=str(db))],
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = []
    for line in proc.stdout:
        lines.append(line.strip())
        if line.startswith("MID-SAVE"):
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert lines == ["SAVED 0", "SAVED 1", "MID-SAVE"]

    store = SessionStore(db)
    assert store.integrity_ok()
    sessions = store.list_sessions("KILL")
    # exactly the two committed sessions, each complete; nothing of the third
    assert sorted(s.note for s in sessions) == ["0", "1"]
    assert all(set(s.steps) == {"a", "b", "c"} for s in sessions)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM steps").fetchone()[0] == 6
    conn.close()
    # the killed save had already copied its media; the sweep removes that orphan
    assert store.sweep_orphan_media() == 1
    assert all(m.path.is_file() for s in sessions for m in s.media)
    # and the store keeps working
    store.save_session("KILL", {"a": {}}, note="after")
    assert len(store.list_sessions("KILL")) == 3


# --------------------------------------------------------------------------------------------
# Schema 3: idempotent saves, new sessions, the previous *distinct* session, clinic settings


def test_saving_the_same_session_twice_updates_it(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    first = store.save_session(
        "P1", {"standing_side": _report(12.0)}, note="draft",
        media={"standing_side": {"key_frame_0.png": b"old png"}}, session_uid="uid-a",
    )
    [old_file] = [m.path for m in store.get_session(first).media]
    again = store.save_session(
        "P1", {"standing_side": _report(12.0), "walking_side": _report(3.0)}, note="final",
        media={"walking_side": {"key_frame_0.png": b"new png"}}, session_uid="uid-a",
    )
    assert again == first
    [record] = store.list_sessions("P1")
    assert record.id == first and record.uid == "uid-a"
    assert record.note == "final"
    assert set(record.steps) == {"standing_side", "walking_side"}
    assert record.updated_at is not None and record.updated_at >= record.created_at
    # the replaced save's files are gone, the new ones are there
    assert not old_file.exists()
    assert [m.path.read_bytes() for m in record.media] == [b"new png"]
    assert store.session_id_for_uid("uid-a") == first
    assert store.session_id_for_uid("uid-b") is None
    conn = sqlite3.connect(store.db_path)
    assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM steps").fetchone()[0] == 2
    conn.close()


def test_a_new_session_for_the_same_patient_is_a_new_row(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    first = store.save_session("P1", {"standing_side": _report(12.0)}, session_uid="uid-1")
    second = store.save_session("P1", {"standing_side": _report(2.0)}, session_uid="uid-2")
    assert second != first
    assert [s.id for s in store.list_sessions("P1")] == [second, first]
    assert store.previous_session(second).id == first


def test_a_uid_cannot_move_a_session_to_another_patient(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    store.save_session("P1", {"standing_side": _report(12.0)}, session_uid="uid-1")
    with pytest.raises(StoreError, match="another patient"):
        store.save_session("P2", {"standing_side": _report(1.0)}, session_uid="uid-1")
    assert store.list_patients() == ["P1"]


def test_previous_session_skips_twins_saved_by_old_versions(tmp_path: Path) -> None:
    # Before schema 3 a second click on Save stored the same recordings again: the
    # comparison must reach back to the session before the twins.
    store = SessionStore(tmp_path / "s.sqlite3")
    visit_1 = store.save_session("P1", {"standing_side": _report(11.7)})
    visit_2 = store.save_session("P1", {"standing_side": _report(0.2)})
    twin = store.save_session("P1", {"standing_side": _report(0.2)})
    assert store.previous_session(twin).id == visit_1
    assert store.previous_session(visit_2).id == visit_1
    assert store.previous_session(visit_1) is None


def test_clinic_settings_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    store = SessionStore(db)
    assert store.get_settings() == {}
    store.set_settings({"clinic": "Physio am Markt", "clinician": " A. Weber "})
    assert SessionStore(db).get_settings() == {"clinic": "Physio am Markt",
                                               "clinician": "A. Weber"}
    store.set_settings({"clinician": ""})
    assert store.get_settings() == {"clinic": "Physio am Markt"}


def _v2_database(path: Path) -> None:
    """A database as schema 2 left it (per-step rows, no uid), with a pair of twins."""
    _v1_database(path)
    SessionStore(path)  # v1 -> current, then wind the new parts back to what v2 had
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        DROP INDEX sessions_by_uid;
        DROP TABLE settings;
        ALTER TABLE sessions DROP COLUMN uid;
        ALTER TABLE sessions DROP COLUMN updated_at;
        PRAGMA user_version = 2;
        """
    )
    for _ in range(2):
        cur = conn.execute(
            "INSERT INTO sessions (patient_code, created_at, note, symptoms_json) "
            "VALUES ('OLD-1', '2025-02-01T10:00:00+00:00', 'twin', '{}')"
        )
        conn.execute("INSERT INTO steps (session_id, step_key, report_json) VALUES (?, ?, ?)",
                     (cur.lastrowid, "standing_side", json.dumps(_report(2.0))))
    conn.commit()
    conn.close()


def test_migration_from_v2_keeps_sessions_and_adds_uids(tmp_path: Path) -> None:
    db = tmp_path / "v2.sqlite3"
    _v2_database(db)
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 2
    store = SessionStore(db)
    assert store.schema_version() == SCHEMA_VERSION == 3
    first, *twins = sorted(store.list_sessions("OLD-1"), key=lambda s: s.id)
    assert len(twins) == 2 and all(s.uid is None for s in [first, *twins])
    assert store.previous_session(twins[1].id).id == first.id  # twins skipped
    # the migrated database saves idempotently and keeps settings
    sid = store.save_session("OLD-1", {"standing_side": _report(1.0)}, session_uid="u")
    assert store.save_session("OLD-1", {"standing_side": _report(1.5)}, session_uid="u") == sid
    store.set_settings({"clinic": "X"})
    assert store.get_settings() == {"clinic": "X"}
    assert store.integrity_ok()
