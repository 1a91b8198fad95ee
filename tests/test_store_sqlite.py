"""The store on a SQLite file: old files open and migrate, WAL, deletion for good.

Behaviour shared with PostgreSQL is tested on both in ``test_store.py``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from store_reports import step_report

from store import SCHEMA_VERSION, SessionStore, StoreError, default_db_path, validate_patient_code
from store.backend import dispose_engines


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_engines()


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    conn = sqlite3.connect(store.db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # the version sits where versions 1-3 kept it (an old app refuses the file) and in the
    # table PostgreSQL uses too
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    assert conn.execute("SELECT value FROM schema_meta WHERE key = 'schema_version'"
                        ).fetchone()[0] == str(SCHEMA_VERSION)
    conn.close()
    assert store.media_dir == tmp_path / "s-media"


def test_db_path_comes_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POSTURE_DB", str(tmp_path / "elsewhere.sqlite3"))
    assert default_db_path() == tmp_path / "elsewhere.sqlite3"
    monkeypatch.delenv("POSTURE_DB")
    assert default_db_path() == Path("data") / "posture.sqlite3"
    # and SessionStore() with no argument uses it
    monkeypatch.setenv("POSTURE_DB", str(tmp_path / "env.sqlite3"))
    SessionStore().save_session("P1", {"a": {}})
    assert (tmp_path / "env.sqlite3").is_file()
    assert SessionStore(f"sqlite:///{tmp_path / 'env.sqlite3'}").list_patients() == ["P1"]


@pytest.mark.parametrize("bad", ["", "Anna Schmidt", "P/01", "../x", "a" * 33, "Zoë"])
def test_patient_code_rejects_names_and_paths(bad: str) -> None:
    with pytest.raises(StoreError):
        validate_patient_code(bad)


def test_patient_code_accepts_pseudonyms() -> None:
    assert validate_patient_code("  P-0042_b ") == "P-0042_b"


def test_deleted_text_and_images_are_gone_from_the_files(tmp_path: Path) -> None:
    # secure_delete + WAL checkpoint: the note's text and the image bytes, stored in the
    # database since schema 4, are not left in the file or its WAL either.
    store = SessionStore(tmp_path / "s.sqlite3")
    secret, image = "UNIQUE-NOTE-TEXT-7f3a", b"IMAGE-BYTES-4b2e" * 64
    for i in range(2):
        store.save_session("GONE", {"standing_side": step_report(5.0)}, note=secret,
                           media={"standing_side": {"key_frame_0.png": image}},
                           annotations={"standing_side": {"plumb_line": {"t": secret}}},
                           session_uid=f"u{i}")
    store.save_session("KEEP", {"standing_side": step_report(1.0)})
    files = list(tmp_path.glob("s.sqlite3*"))
    assert any(secret.encode() in p.read_bytes() for p in files)
    assert store.delete_patient("GONE") == 2
    for path in tmp_path.glob("s.sqlite3*"):
        data = path.read_bytes()
        assert secret.encode() not in data and image[:32] not in data, path.name
    assert store.integrity_ok()


# --- old files ----------------------------------------------------------------------------


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
         json.dumps({"standing_side": step_report(20.0), "walking_side": step_report(4.0)})),
    )
    conn.commit()
    conn.close()


# Schema 2 -> 3 exactly as version 3 of the app ran it (a frozen copy: the test must not
# follow later edits of the store).
_V2_TO_V3 = """
ALTER TABLE sessions ADD COLUMN uid TEXT;
ALTER TABLE sessions ADD COLUMN updated_at TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS sessions_by_uid ON sessions(uid);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA user_version = 3;
"""
_V1_TO_V2 = """
CREATE TABLE steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step_key TEXT NOT NULL,
    report_json TEXT NOT NULL,
    UNIQUE (session_id, step_key)
);
CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    rel_path TEXT NOT NULL
);
ALTER TABLE sessions ADD COLUMN symptoms_json TEXT NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS sessions_by_patient ON sessions(patient_code, id);
PRAGMA user_version = 2;
"""


def _v2_database(path: Path) -> None:
    """A database as schema 2 left it (per-step rows, no uid), with a pair of twins."""
    _v1_database(path)
    conn = sqlite3.connect(path)
    conn.executescript(_V1_TO_V2)
    for session_id, steps_json in conn.execute("SELECT id, steps_json FROM sessions").fetchall():
        for key, report in json.loads(steps_json).items():
            conn.execute("INSERT INTO steps (session_id, step_key, report_json) VALUES (?, ?, ?)",
                         (session_id, key, json.dumps(report)))
    conn.execute("UPDATE sessions SET steps_json = '{}'")
    for _ in range(2):
        cur = conn.execute(
            "INSERT INTO sessions (patient_code, created_at, note, symptoms_json) "
            "VALUES ('OLD-1', '2025-02-01T10:00:00+00:00', 'twin', '{}')"
        )
        conn.execute("INSERT INTO steps (session_id, step_key, report_json) VALUES (?, ?, ?)",
                     (cur.lastrowid, "standing_side", json.dumps(step_report(2.0))))
    conn.commit()
    conn.close()


def _v3_database(path: Path, media_dir: Path) -> Path:
    """A database as schema 3 left it: a session with a uid, settings, and a key frame kept
    only as a file in the media folder (as every version before 4 stored images)."""
    _v2_database(path)
    conn = sqlite3.connect(path)
    conn.executescript(_V2_TO_V3)
    conn.execute("INSERT INTO settings VALUES ('clinic', 'Physio am Markt')")
    cur = conn.execute(
        "INSERT INTO sessions (patient_code, created_at, note, symptoms_json, uid, updated_at) "
        "VALUES ('OLD-1', '2025-03-01T10:00:00+00:00', 'v3', '{\"sudden_onset\": true}', "
        "'uid-v3', '2025-03-01T10:05:00+00:00')"
    )
    sid = cur.lastrowid
    conn.execute("INSERT INTO steps (session_id, step_key, report_json) VALUES (?, ?, ?)",
                 (sid, "standing_side", json.dumps(step_report(7.0))))
    rel = "OLD-1/5f0c8a/standing_side-key_frame_0.png"
    conn.execute("INSERT INTO media (session_id, step_key, kind, rel_path) VALUES (?, ?, ?, ?)",
                 (sid, "standing_side", "key_frame_0.png", rel))
    conn.commit()
    conn.close()
    old_file = media_dir / rel
    old_file.parent.mkdir(parents=True)
    old_file.write_bytes(b"old png bytes")
    return old_file


def test_migration_from_v1_keeps_old_sessions(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    _v1_database(db)
    store = SessionStore(db)
    assert store.schema_version() == SCHEMA_VERSION
    [record] = store.list_sessions("OLD-1")
    assert record.note == "old note"
    assert record.symptoms == {}
    assert record.annotations == {}
    assert record.steps["standing_side"]["findings"][0]["value"] == 20.0
    assert set(record.steps) == {"standing_side", "walking_side"}
    # and the migrated database takes new sessions that compare with the old one
    new_id = store.save_session("OLD-1", {"standing_side": step_report(10.0)})
    assert store.previous_session(new_id).id == record.id


def test_migration_from_v0_empty_file(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite3"
    sqlite3.connect(db).close()  # an existing file with no tables, user_version 0
    store = SessionStore(db)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.list_patients() == []


def test_migration_from_v2_keeps_sessions_and_adds_uids(tmp_path: Path) -> None:
    db = tmp_path / "v2.sqlite3"
    _v2_database(db)
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 2
    store = SessionStore(db)
    assert store.schema_version() == SCHEMA_VERSION
    first, *twins = sorted(store.list_sessions("OLD-1"), key=lambda s: s.id)
    assert len(twins) == 2 and all(s.uid is None for s in [first, *twins])
    assert store.previous_session(twins[1].id).id == first.id  # twins skipped
    sid = store.save_session("OLD-1", {"standing_side": step_report(1.0)}, session_uid="u")
    assert store.save_session("OLD-1", {"standing_side": step_report(1.5)}, session_uid="u") == sid
    store.set_settings({"clinic": "X"})
    assert store.get_settings() == {"clinic": "X"}
    assert store.integrity_ok()


def test_migration_from_v3_keeps_file_media_and_adds_annotations(tmp_path: Path) -> None:
    db = tmp_path / "v3.sqlite3"
    old_file = _v3_database(db, tmp_path / "v3-media")
    before = sqlite3.connect(db)
    counts_before = {t: before.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("patients", "sessions", "steps", "media", "settings")}
    before.close()

    store = SessionStore(db)

    assert store.schema_version() == SCHEMA_VERSION
    conn = sqlite3.connect(db)
    assert {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in counts_before} == counts_before
    assert conn.execute("SELECT COUNT(*) FROM annotations").fetchone()[0] == 0
    conn.close()
    sid = store.session_id_for_uid("uid-v3")
    record = store.get_session(sid)
    assert (record.note, record.symptoms, record.updated_at, record.annotations) == (
        "v3", {"sudden_onset": True}, "2025-03-01T10:05:00+00:00", {})
    # the image saved before schema 4 is read from its file, as before
    [media] = record.media
    assert media.path == old_file and media.path.read_bytes() == b"old png bytes"
    assert store.sweep_orphan_media() == 0  # its folder is known, not an orphan
    assert store.get_settings() == {"clinic": "Physio am Markt"}
    # old sessions take annotations, and re-saving one stores its new images in the database
    store.set_annotation(sid, "standing_side", "plumb_line", {"x_px": 5})
    assert store.get_session(sid).annotations == {"standing_side": {"plumb_line": {"x_px": 5}}}
    assert store.save_session("OLD-1", {"standing_side": step_report(7.0)}, session_uid="uid-v3",
                              media={"standing_side": {"key_frame_0.png": b"new"}}) == sid
    assert not old_file.exists()  # replaced, like any re-save's files
    # and deleting the patient removes the old files with the rows
    _v3_file = tmp_path / "v3-media" / "OLD-1" / "77aa" / "x.png"
    _v3_file.parent.mkdir(parents=True)
    _v3_file.write_bytes(b"x")
    assert store.delete_patient("OLD-1") == 4
    assert not (tmp_path / "v3-media" / "OLD-1").exists()
    assert store.integrity_ok()


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "v3.sqlite3"
    _v3_database(db, tmp_path / "v3-media")
    from store import schema

    def broken(conn) -> None:  # noqa: ANN001
        schema._migrate_3_to_4(conn)
        raise RuntimeError("power cut half way")

    monkeypatch.setitem(schema.MIGRATIONS, 3, broken)
    with pytest.raises(RuntimeError):
        SessionStore(db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "annotations" not in tables and "schema_meta" not in tables
    conn.close()
    monkeypatch.undo()
    assert SessionStore(db).schema_version() == SCHEMA_VERSION


def test_a_media_folder_not_made_by_the_store_is_never_pruned(tmp_path: Path) -> None:
    # Pruning removes folders of patients that are no longer in the database; pointed at a
    # folder holding something else, it must leave it alone.
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "letter.txt").write_text("keep me")
    store = SessionStore(tmp_path / "s.sqlite3", media_dir=home)
    assert store.list_patients() == [] and store.prune_media_cache() == 0
    assert (home / "Documents" / "letter.txt").is_file()
    # the store's own folder is pruned once the store has written to it
    own = SessionStore(tmp_path / "s.sqlite3")
    own.save_session("P1", {"a": {}}, media={"a": {"key_frame_0.png": b"png"}})
    (own.media_dir / "GONE-1" / "abc").mkdir(parents=True)
    assert own.prune_media_cache() == 1 and not (own.media_dir / "GONE-1").exists()
    assert (own.media_dir / "P1").is_dir()
