"""SQLite store for screening sessions: patients, sessions, steps and their media files.

No Streamlit here, so the command line and the tests use it as the app does.

Design, and why:

- one file, set in one place (``default_db_path``: env var ``POSTURE_DB``, else
  ``./data/posture.sqlite3``); media files sit beside it in ``<db stem>-media/``;
- WAL journal, so readers never block the writer and a killed writer leaves the last
  committed state intact; ``busy_timeout`` so two browser sessions saving at once wait
  for each other instead of failing;
- every save is one ``BEGIN IMMEDIATE`` transaction: a session and all its steps appear
  together or not at all;
- the schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[n]`` takes a database
  from version n to n + 1, each inside its own transaction;
- ``secure_delete`` is on, so deleting a patient overwrites the freed pages, and the WAL is
  checkpointed and truncated afterwards: deleted data is gone from the files too;
- saving is idempotent: the app gives each session it starts a ``uid`` and saving the same
  uid again updates that session (same id, same date) instead of adding a twin; the
  comparison skips twins that older versions stored (``previous_session``);
- clinic-wide settings (the clinic's and clinician's names for the PDF) sit in a small
  key/value table, set once.

Example::

    store = SessionStore("/tmp/x.sqlite3")
    sid = store.save_session("P-001", steps={"standing_side": report_dict}, note="first visit",
                             session_uid="3f2a...")
    store.save_session("P-001", steps={...}, session_uid="3f2a...") == sid  # updated, not added
    store.list_sessions("P-001")[0].id == sid
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DB_ENV_VAR = "POSTURE_DB"
DEFAULT_DB_PATH = Path("data") / "posture.sqlite3"
SCHEMA_VERSION = 3
BUSY_TIMEOUT_MS = 30_000

# Letters, digits, "-" and "_": enough for a clinic's pseudonym, no room for a name with
# spaces, and safe as a folder name.
PATIENT_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class StoreError(Exception):
    """A store operation the caller can explain to the user (bad code, unknown session)."""


def default_db_path() -> Path:
    """The one place the database location is decided: ``$POSTURE_DB`` or ./data/."""
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH)


def validate_patient_code(code: str) -> str:
    """Return the stripped code, or raise StoreError saying what is allowed.

    >>> validate_patient_code(" P-07_a ")
    'P-07_a'
    """
    stripped = (code or "").strip()
    if not PATIENT_CODE_RE.fullmatch(stripped):
        raise StoreError(
            "The patient code may only use letters, digits, '-' and '_' (1 to 32 characters); "
            "use a pseudonym, not a name."
        )
    return stripped


@dataclass(frozen=True)
class MediaFile:
    step_key: str
    kind: str  # e.g. "annotated_video", "key_frame"
    path: Path


@dataclass
class SessionRecord:
    id: int
    patient_code: str
    created_at: str
    note: str
    symptoms: dict[str, Any]
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: list[MediaFile] = field(default_factory=list)
    uid: str | None = None  # the app's id for the session it started (None before schema 3)
    updated_at: str | None = None  # last save of the same session, if saved more than once


# --- schema -------------------------------------------------------------------------------


def _execute_all(conn: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits any open transaction first, and a migration must
    # stay inside the one transaction that also bumps user_version.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    # Version 1 kept every step's report in one JSON column of the session row.
    _execute_all(
        conn,
        """
        CREATE TABLE IF NOT EXISTS patients (
            code TEXT PRIMARY KEY,
            created_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            patient_code TEXT NOT NULL REFERENCES patients(code) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            steps_json TEXT NOT NULL DEFAULT '{}'
        );
        """,
    )


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    # Version 2: one row per step (so a step can be compared across sessions), symptoms,
    # and a media table so deleting a patient can find every stored file.
    _execute_all(
        conn,
        """
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
        """,
    )
    rows = conn.execute("SELECT id, steps_json FROM sessions").fetchall()
    for session_id, steps_json in rows:
        for step_key, report in (json.loads(steps_json or "{}") or {}).items():
            conn.execute(
                "INSERT INTO steps (session_id, step_key, report_json) VALUES (?, ?, ?)",
                (session_id, step_key, json.dumps(report)),
            )
    # The old column stays (SQLite drops columns by rebuilding the table) but is emptied so
    # the data lives in one place only.
    conn.execute("UPDATE sessions SET steps_json = '{}'")


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    # Version 3: a session the app started has a uid, so saving it again updates it (no
    # twins); when it was last updated; clinic-wide settings (clinic, clinician) for the PDF.
    # Sessions from before keep a NULL uid (several NULLs are allowed by the unique index).
    _execute_all(
        conn,
        """
        ALTER TABLE sessions ADD COLUMN uid TEXT;
        ALTER TABLE sessions ADD COLUMN updated_at TEXT;
        CREATE UNIQUE INDEX IF NOT EXISTS sessions_by_uid ON sessions(uid);
        CREATE TABLE IF NOT EXISTS settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    0: _migrate_0_to_1,
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SessionStore:
    """Patients' screening sessions in one SQLite file plus a media folder beside it."""

    def __init__(self, db_path: str | Path | None = None, media_dir: str | Path | None = None):
        self.db_path = Path(db_path) if db_path is not None else default_db_path()
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.media_dir = (
            Path(media_dir)
            if media_dir is not None
            else self.db_path.with_name(self.db_path.stem + "-media")
        )
        self._migrate()

    # --- connection ---------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are opened explicitly (BEGIN IMMEDIATE), so
        # nothing is implicitly committed halfway.
        conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _migrate(self) -> None:
        with self._transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The session database {self.db_path} was written by a newer version "
                    f"(schema {version}); update the app before opening it."
                )
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")

    def schema_version(self) -> int:
        conn = self._connect()
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()

    # --- writing ------------------------------------------------------------------------

    def save_session(
        self,
        patient_code: str,
        steps: Mapping[str, Mapping[str, Any]],
        symptoms: Mapping[str, Any] | None = None,
        note: str = "",
        media: Mapping[str, Mapping[str, str | Path | bytes]] | None = None,
        session_uid: str | None = None,
    ) -> int:
        """Store one session with all its steps in a single transaction; return its id.

        ``session_uid`` names the session the caller started: saving the same uid again
        replaces that session's steps, symptoms, note and media (same id, same creation
        date, ``updated_at`` set) instead of adding a second session. Without it every call
        adds a session (as before schema 3).

        ``media`` maps step key -> {kind: source file or bytes}; files are copied into the
        media folder (the sources stay where they were, the caller removes its temp files).
        A crash before COMMIT leaves no session row (or the previous save of it intact);
        copied files without a row are swept up by ``sweep_orphan_media``.
        """
        code = validate_patient_code(patient_code)
        folder_rel = Path(code) / uuid.uuid4().hex
        copied = self._copy_media(folder_rel, media)
        old_folders: set[str] = set()
        try:
            with self._transaction() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO patients (code, created_at) VALUES (?, ?)",
                    (code, _now_iso()),
                )
                existing = None
                if session_uid:
                    existing = conn.execute(
                        "SELECT id, patient_code FROM sessions WHERE uid = ?", (session_uid,)
                    ).fetchone()
                if existing is not None:
                    session_id = int(existing[0])
                    if existing[1] != code:
                        raise StoreError(
                            "This session belongs to another patient code; start a new session "
                            "to save it for this patient."
                        )
                    old_folders = {
                        Path(r[0]).parent.as_posix()
                        for r in conn.execute(
                            "SELECT rel_path FROM media WHERE session_id = ?", (session_id,)
                        )
                    }
                    conn.execute(
                        "UPDATE sessions SET note = ?, symptoms_json = ?, updated_at = ? "
                        "WHERE id = ?",
                        (note or "", json.dumps(dict(symptoms or {})), _now_iso(), session_id),
                    )
                    conn.execute("DELETE FROM steps WHERE session_id = ?", (session_id,))
                    conn.execute("DELETE FROM media WHERE session_id = ?", (session_id,))
                else:
                    cur = conn.execute(
                        "INSERT INTO sessions (patient_code, created_at, note, symptoms_json, uid)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (code, _now_iso(), note or "", json.dumps(dict(symptoms or {})),
                         session_uid or None),
                    )
                    session_id = int(cur.lastrowid)
                for step_key, report in steps.items():
                    self._insert_step(conn, session_id, step_key, report)
                for step_key, kind, rel in copied:
                    conn.execute(
                        "INSERT INTO media (session_id, step_key, kind, rel_path) "
                        "VALUES (?, ?, ?, ?)",
                        (session_id, step_key, kind, rel),
                    )
        except BaseException:
            shutil.rmtree(self.media_dir / folder_rel, ignore_errors=True)
            raise
        # The replaced save's files, once the new rows are committed.
        for rel in old_folders - {folder_rel.as_posix()}:
            shutil.rmtree(self.media_dir / rel, ignore_errors=True)
        return session_id

    def _copy_media(
        self, folder_rel: Path, media: Mapping[str, Mapping[str, str | Path | bytes]] | None
    ) -> list[tuple[str, str, str]]:
        copied: list[tuple[str, str, str]] = []
        for step_key, files in (media or {}).items():
            for kind, src in files.items():
                if isinstance(src, bytes):
                    # In-memory media (the app keeps no temp files): ``kind`` carries the
                    # extension, e.g. "key_frame_1.png".
                    dest_rel = folder_rel / f"{step_key}-{kind}"
                    dest = self.media_dir / dest_rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(src)
                else:
                    src_path = Path(src)
                    if not src_path.is_file():
                        continue
                    dest_rel = folder_rel / f"{step_key}-{kind}{src_path.suffix}"
                    dest = self.media_dir / dest_rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(src_path, dest)
                copied.append((step_key, kind, dest_rel.as_posix()))
        return copied

    def session_id_for_uid(self, session_uid: str) -> int | None:
        """The id of the session saved under ``session_uid``, if it was saved."""
        conn = self._connect()
        try:
            row = conn.execute("SELECT id FROM sessions WHERE uid = ?", (session_uid,)).fetchone()
            return int(row[0]) if row else None
        finally:
            conn.close()

    # --- clinic settings ----------------------------------------------------------------

    def get_settings(self) -> dict[str, str]:
        """Clinic-wide settings (e.g. ``clinic``, ``clinician``), set once in the app."""
        conn = self._connect()
        try:
            return {k: v for k, v in conn.execute("SELECT key, value FROM settings")}
        finally:
            conn.close()

    def set_settings(self, values: Mapping[str, str]) -> None:
        """Store settings; an empty value removes the setting."""
        with self._transaction() as conn:
            for key, value in values.items():
                text = str(value or "").strip()
                if text:
                    conn.execute(
                        "INSERT INTO settings (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (str(key), text),
                    )
                else:
                    conn.execute("DELETE FROM settings WHERE key = ?", (str(key),))

    @staticmethod
    def _insert_step(
        conn: sqlite3.Connection, session_id: int, step_key: str, report: Mapping[str, Any]
    ) -> None:
        conn.execute(
            "INSERT INTO steps (session_id, step_key, report_json) VALUES (?, ?, ?)",
            (session_id, step_key, json.dumps(report)),
        )

    def delete_patient(self, patient_code: str) -> int:
        """Delete every session, step and media file of a patient; return sessions removed."""
        code = validate_patient_code(patient_code)
        with self._transaction() as conn:
            n = conn.execute(
                "SELECT COUNT(*) FROM sessions WHERE patient_code = ?", (code,)
            ).fetchone()[0]
            ids = [
                r[0]
                for r in conn.execute("SELECT id FROM sessions WHERE patient_code = ?", (code,))
            ]
            for sid in ids:
                conn.execute("DELETE FROM media WHERE session_id = ?", (sid,))
                conn.execute("DELETE FROM steps WHERE session_id = ?", (sid,))
            conn.execute("DELETE FROM sessions WHERE patient_code = ?", (code,))
            conn.execute("DELETE FROM patients WHERE code = ?", (code,))
        shutil.rmtree(self.media_dir / code, ignore_errors=True)
        self._flush_wal()
        return int(n)

    def _flush_wal(self) -> None:
        # Copies of deleted pages may still sit in the WAL file; folding it into the main
        # file (where secure_delete has zeroed them) and truncating it removes them.
        conn = self._connect()
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()

    def sweep_orphan_media(self) -> int:
        """Remove media folders no session row points at (left by a crash mid-save)."""
        if not self.media_dir.is_dir():
            return 0
        conn = self._connect()
        try:
            rows = conn.execute("SELECT rel_path FROM media").fetchall()
            known = {Path(r[0]).parent.as_posix() for r in rows}
        finally:
            conn.close()
        removed = 0
        for patient_dir in self.media_dir.iterdir():
            if not patient_dir.is_dir():
                continue
            for session_dir in patient_dir.iterdir():
                rel = session_dir.relative_to(self.media_dir).as_posix()
                if rel not in known:
                    shutil.rmtree(session_dir, ignore_errors=True)
                    removed += 1
            if not any(patient_dir.iterdir()):
                patient_dir.rmdir()
        return removed

    # --- reading ------------------------------------------------------------------------

    def list_patients(self) -> list[str]:
        conn = self._connect()
        try:
            return [r[0] for r in conn.execute("SELECT code FROM patients ORDER BY code")]
        finally:
            conn.close()

    def list_sessions(self, patient_code: str) -> list[SessionRecord]:
        """All sessions of a patient, newest first, with steps and media."""
        code = validate_patient_code(patient_code)
        conn = self._connect()
        try:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM sessions WHERE patient_code = ? ORDER BY id DESC", (code,)
                )
            ]
            return [self._load(conn, sid) for sid in ids]
        finally:
            conn.close()

    def get_session(self, session_id: int) -> SessionRecord:
        conn = self._connect()
        try:
            return self._load(conn, session_id)
        finally:
            conn.close()

    def previous_session(self, session_id: int) -> SessionRecord | None:
        """The same patient's last session before this one that is a distinct session: one
        whose steps differ from this one's. Twins (the same recordings saved twice, as
        versions before schema 3 did on a second click of Save) are skipped."""
        conn = self._connect()
        try:
            current = self._load(conn, session_id)
            rows = conn.execute(
                "SELECT id FROM sessions WHERE patient_code = ? AND id < ? ORDER BY id DESC",
                (current.patient_code, session_id),
            ).fetchall()
            for (earlier_id,) in rows:
                earlier = self._load(conn, earlier_id)
                if earlier.steps != current.steps:
                    return earlier
            return None
        finally:
            conn.close()

    def _load(self, conn: sqlite3.Connection, session_id: int) -> SessionRecord:
        row = conn.execute(
            "SELECT id, patient_code, created_at, note, symptoms_json, uid, updated_at "
            "FROM sessions WHERE id = ?",
            (session_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"Session {session_id} does not exist (it may have been deleted).")
        record = SessionRecord(
            id=row[0],
            patient_code=row[1],
            created_at=row[2],
            note=row[3],
            symptoms=json.loads(row[4] or "{}"),
            uid=row[5],
            updated_at=row[6],
        )
        for step_key, report_json in conn.execute(
            "SELECT step_key, report_json FROM steps WHERE session_id = ? ORDER BY id",
            (session_id,),
        ):
            record.steps[step_key] = json.loads(report_json)
        for step_key, kind, rel in conn.execute(
            "SELECT step_key, kind, rel_path FROM media WHERE session_id = ? ORDER BY id",
            (session_id,),
        ):
            record.media.append(MediaFile(step_key, kind, self.media_dir / rel))
        return record

    def integrity_ok(self) -> bool:
        conn = self._connect()
        try:
            return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
