"""Store for screening sessions: patients, sessions, steps, annotations and their media.

No Streamlit here, so the command line and the tests use it as the app does.

Design, and why:

- one setting decides where the data lives (``default_db_path``: env var ``POSTURE_DB``, else
  ``./data/posture.sqlite3``): a SQLite file on this machine, or a ``postgresql://`` URL that
  every workstation of a clinic shares (``store.backend``). The same code, SQLAlchemy Core,
  serves both; the schema and its migrations are in ``store.schema``;
- every save is one transaction: a session with all its steps, annotations and media bytes
  appears together or not at all, also when the process is killed half way;
- media bytes are stored in the database (schema 4), so a shared server holds the images and
  videos too; the media folder (``<db stem>-media/`` beside a SQLite file) is a cache from
  which the app shows them, filled when a session is saved or loaded. Files saved before
  schema 4 live only in that folder and are read from there as before;
- saving is idempotent and race-free: the app gives each session it starts a ``uid``; saving
  it again updates that session (same id, same date). The uid is unique in the database and
  inserted with ``ON CONFLICT DO NOTHING``, so two workstations saving the same session at
  the same moment end with one session, not two (no check-then-insert);
- SQLite: WAL journal, ``BEGIN IMMEDIATE`` for writes, ``busy_timeout`` so writers queue up;
  ``secure_delete`` and a WAL checkpoint after a deletion so deleted data leaves the file;
- clinic-wide settings (the clinic's and clinician's names for the PDF) sit in a small
  key/value table, set once.

Example::

    store = SessionStore("/tmp/x.sqlite3")          # or "postgresql://u:pw@host/posture"
    sid = store.save_session("P-001", steps={"standing_side": report_dict}, note="first visit",
                             session_uid="3f2a...",
                             annotations={"standing_side": {"plumb_line": {"x_px": 312}}})
    store.save_session("P-001", steps={...}, session_uid="3f2a...") == sid  # updated, not added
    store.set_annotation(sid, "standing_side", "goniometer", {"angle_deg": 12.5})
    store.list_sessions("P-001")[0].id == sid
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Insert, Table, func, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import OperationalError

from posture.atomic import atomic_write_bytes

from . import schema
from .backend import BUSY_TIMEOUT_MS, TargetError, engine_for, is_url, resolve_target
from .schema import SCHEMA_VERSION, annotations, media, patients, sessions, settings, steps

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DB_ENV_VAR",
    "DEFAULT_DB_PATH",
    "SCHEMA_VERSION",
    "MediaFile",
    "SessionRecord",
    "SessionStore",
    "StoreError",
    "default_db_path",
    "validate_patient_code",
]

log = logging.getLogger(__name__)

DB_ENV_VAR = "POSTURE_DB"
DEFAULT_DB_PATH = Path("data") / "posture.sqlite3"

# Marks a media folder as the store's own, so only such a folder is ever pruned.
CACHE_MARKER = ".posture-media"

# Letters, digits, "-" and "_": enough for a clinic's pseudonym, no room for a name with
# spaces, and safe as a folder name.
PATIENT_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class StoreError(Exception):
    """A store operation the caller can explain to the user (bad code, unknown session)."""


def default_db_path() -> Path | str:
    """The one place the database location is decided: ``$POSTURE_DB`` or ./data/.

    A path comes back as a ``Path``; a URL (``postgresql://...``) as the string itself,
    since ``Path`` would fold its ``//``.
    """
    value = os.environ.get(DB_ENV_VAR) or ""
    if is_url(value.strip()):
        return value.strip()
    return Path(value) if value else DEFAULT_DB_PATH


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
    kind: str  # e.g. "annotated_video.mp4", "key_frame_0.png"
    path: Path  # a local file (the media folder), written from the database when missing


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
    # step key -> {kind: JSON payload}: a clinician's corrections, plumb line, goniometer
    # readings, chosen key frame ... (schema 4; older sessions load with {})
    annotations: dict[str, dict[str, Any]] = field(default_factory=dict)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class SessionStore:
    """Patients' screening sessions in a SQLite file or a PostgreSQL database, plus a local
    media folder (a cache of the media bytes the database holds)."""

    def __init__(self, db_path: str | Path | None = None, media_dir: str | Path | None = None):
        raw = db_path if db_path is not None else default_db_path()
        try:
            self.target = resolve_target(raw)
        except TargetError as exc:
            raise StoreError(str(exc)) from None
        self.is_postgres = self.target.is_postgres
        # For messages: the path, or the URL without its password.
        self.location = self.target.display
        self.db_path: Path | None = self.target.sqlite_path
        if self.db_path is not None:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            default_media = self.db_path.with_name(self.db_path.stem + "-media")
        else:
            url = self.target.pg_url
            host = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{url.host or 'local'}-{url.database}")
            default_media = DEFAULT_DB_PATH.parent / f"media-cache-{host}"
        self.media_dir = Path(media_dir) if media_dir is not None else default_media
        self._engine = engine_for(self.target)
        self._migrate()
        self.prune_media_cache()

    # --- connections --------------------------------------------------------------------

    def _problem(self, exc: OperationalError) -> StoreError:
        return StoreError(
            f"The session database ({self.location}) could not be used: {_first_line(exc)}"
        )

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        try:
            with self._engine.connect() as conn:
                conn.execution_options(posture_write=True)
                with conn.begin():
                    yield conn
        except OperationalError as exc:
            raise self._problem(exc) from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read transaction with one snapshot (a session is never seen half re-saved)."""
        try:
            with self._engine.connect() as conn:
                if self.is_postgres:
                    conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except OperationalError as exc:
            raise self._problem(exc) from exc

    def _insert(self, table: Table) -> Insert:
        # The dialect's own INSERT, for ON CONFLICT (both databases spell it the same).
        module = pg_dialect if self.is_postgres else sqlite_dialect
        return module.insert(table)

    def _migrate(self) -> None:
        with self._write() as conn:
            schema.lock_for_migration(conn)
            version = schema.read_version(conn)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The session database {self.location} was written by a newer version "
                    f"(schema {version}); update the app before opening it."
                )
            if version == SCHEMA_VERSION:
                return
            while version < SCHEMA_VERSION:
                schema.MIGRATIONS[version](conn)
                version += 1
            schema.write_version(conn, version)

    def schema_version(self) -> int:
        with self._read() as conn:
            return schema.read_version(conn)

    # --- writing ------------------------------------------------------------------------

    def save_session(
        self,
        patient_code: str,
        steps: Mapping[str, Mapping[str, Any]],
        symptoms: Mapping[str, Any] | None = None,
        note: str = "",
        media: Mapping[str, Mapping[str, str | Path | bytes]] | None = None,
        session_uid: str | None = None,
        annotations: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> int:
        """Store one session with all its steps in a single transaction; return its id.

        ``session_uid`` names the session the caller started: saving the same uid again
        replaces that session's steps, symptoms, note, annotations and media (same id, same
        creation date, ``updated_at`` set) instead of adding a second session. Without it
        every call adds a session (as before schema 3).

        ``media`` maps step key -> {kind: source file or bytes}; the bytes go into the
        database (the sources stay where they were, the caller removes its temp files).
        ``annotations`` maps step key -> {kind: JSON-able payload} (None payloads skipped).
        A crash before COMMIT leaves no session row (or the previous save of it intact).
        """
        code = validate_patient_code(patient_code)
        # Everything is serialised before the transaction: a report that cannot be stored
        # fails here, with nothing written.
        symptoms_json = json.dumps(dict(symptoms or {}))
        step_rows = [
            {"step_key": str(k), "report_json": json.dumps(report)} for k, report in steps.items()
        ]
        annotation_rows = [
            {"step_key": str(step_key), "kind": str(kind), "payload_json": json.dumps(payload)}
            for step_key, kinds in (annotations or {}).items()
            for kind, payload in kinds.items()
            if payload is not None
        ]
        folder_rel = f"{code}/{uuid.uuid4().hex}"
        media_rows = self._media_rows(folder_rel, media)
        now = _now_iso()
        old_folders: set[str] = set()
        with self._write() as conn:
            conn.execute(
                self._insert(patients)
                .values(code=code, created_at=now)
                .on_conflict_do_nothing(index_elements=["code"])
            )
            new_row = {
                "patient_code": code,
                "created_at": now,
                "note": note or "",
                "symptoms_json": symptoms_json,
                "uid": session_uid or None,
            }
            if session_uid:
                # Insert-or-nothing on the unique uid: a second writer of the same session
                # waits for the first one's commit here, then finds its row below.
                session_id = conn.execute(
                    self._insert(sessions)
                    .values(**new_row)
                    .on_conflict_do_nothing(index_elements=["uid"])
                    .returning(sessions.c.id)
                ).scalar()
                if session_id is None:
                    session_id, old_folders = self._reuse_session(
                        conn, code, session_uid, note, symptoms_json, now
                    )
            else:
                session_id = conn.execute(
                    sessions.insert().values(**new_row).returning(sessions.c.id)
                ).scalar_one()
            session_id = int(session_id)
            for row in step_rows:
                self._insert_step(conn, session_id, row["step_key"], row["report_json"])
            if annotation_rows:
                conn.execute(  # the module's table (the argument shadows its name here)
                    schema.annotations.insert(),
                    [{"session_id": session_id, **row} for row in annotation_rows],
                )
            for row in media_rows:
                conn.execute(schema.media.insert().values(session_id=session_id, **row))
            self._before_commit(conn)
        # Committed: fill this workstation's cache (the bytes are safe in the database if
        # this fails or the process dies now), then drop the replaced save's files.
        for row in media_rows:
            self._write_cache(row["rel_path"], row["data"])
        for rel in old_folders - {folder_rel}:
            shutil.rmtree(self.media_dir / rel, ignore_errors=True)
        return session_id

    def _reuse_session(
        self, conn: Connection, code: str, session_uid: str, note: str, symptoms_json: str,
        now: str,
    ) -> tuple[int, set[str]]:
        """Lock the session saved under ``session_uid``, empty it for the new save; return
        its id and the media folders its previous save used."""
        existing = conn.execute(
            select(sessions.c.id, sessions.c.patient_code)
            .where(sessions.c.uid == session_uid)
            .with_for_update()  # PostgreSQL: the second of two writers waits here
        ).first()
        if existing is None:
            # It existed a moment ago: someone deleted the patient while this was saving.
            raise StoreError(
                "This session was deleted on another workstation while saving; start a new "
                "session to save it again."
            )
        session_id = int(existing[0])
        if existing[1] != code:
            raise StoreError(
                "This session belongs to another patient code; start a new session "
                "to save it for this patient."
            )
        old_folders = {
            Path(rel).parent.as_posix()
            for rel in conn.execute(
                select(media.c.rel_path).where(media.c.session_id == session_id)
            ).scalars()
        }
        conn.execute(
            sessions.update()
            .where(sessions.c.id == session_id)
            .values(note=note or "", symptoms_json=symptoms_json, updated_at=now)
        )
        for table in (steps, media, annotations):
            conn.execute(table.delete().where(table.c.session_id == session_id))
        return session_id, old_folders

    @staticmethod
    def _insert_step(conn: Connection, session_id: int, step_key: str, report_json: str) -> None:
        conn.execute(
            steps.insert().values(session_id=session_id, step_key=step_key,
                                  report_json=report_json)
        )

    def _before_commit(self, conn: Connection) -> None:
        """Called inside a save's transaction just before COMMIT. Does nothing; the tests
        replace it to kill a writer at the worst moment."""

    @staticmethod
    def _media_rows(
        folder_rel: str, media_in: Mapping[str, Mapping[str, str | Path | bytes]] | None
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for step_key, files in (media_in or {}).items():
            for kind, src in files.items():
                if isinstance(src, bytes):
                    # In-memory media (the app keeps no temp files): ``kind`` carries the
                    # extension, e.g. "key_frame_1.png".
                    name, data = f"{step_key}-{kind}", src
                else:
                    src_path = Path(src)
                    if not src_path.is_file():
                        continue
                    name, data = f"{step_key}-{kind}{src_path.suffix}", src_path.read_bytes()
                rows.append({"step_key": str(step_key), "kind": str(kind),
                             "rel_path": f"{folder_rel}/{name}", "data": data})
        return rows

    def set_annotation(
        self, session_id: int, step_key: str, kind: str, payload: Any | None
    ) -> None:
        """Store (replace) one annotation of a saved session's step; ``None`` removes it.

        For changes after the session was saved (a clinician correcting a landmark in a
        stored session); sets the session's ``updated_at``.
        """
        payload_json = None if payload is None else json.dumps(payload)
        with self._write() as conn:
            found = conn.execute(
                sessions.update()
                .where(sessions.c.id == session_id)
                .values(updated_at=_now_iso())
                .returning(sessions.c.id)
            ).first()
            if found is None:
                raise StoreError(
                    f"Session {session_id} does not exist (it may have been deleted)."
                )
            if payload_json is None:
                conn.execute(
                    annotations.delete().where(
                        annotations.c.session_id == session_id,
                        annotations.c.step_key == step_key,
                        annotations.c.kind == kind,
                    )
                )
            else:
                upsert = self._insert(annotations).values(
                    session_id=session_id, step_key=step_key, kind=kind,
                    payload_json=payload_json,
                )
                conn.execute(
                    upsert.on_conflict_do_update(
                        index_elements=["session_id", "step_key", "kind"],
                        set_={"payload_json": upsert.excluded.payload_json},
                    )
                )

    def session_id_for_uid(self, session_uid: str) -> int | None:
        """The id of the session saved under ``session_uid``, if it was saved."""
        with self._read() as conn:
            found = conn.execute(
                select(sessions.c.id).where(sessions.c.uid == session_uid)
            ).scalar()
        return int(found) if found is not None else None

    # --- clinic settings ----------------------------------------------------------------

    def get_settings(self) -> dict[str, str]:
        """Clinic-wide settings (e.g. ``clinic``, ``clinician``), set once in the app."""
        with self._read() as conn:
            return {k: v for k, v in conn.execute(select(settings.c.key, settings.c.value))}

    def set_settings(self, values: Mapping[str, str]) -> None:
        """Store settings; an empty value removes the setting."""
        with self._write() as conn:
            for key, value in values.items():
                text = str(value or "").strip()
                if text:
                    upsert = self._insert(settings).values(key=str(key), value=text)
                    conn.execute(
                        upsert.on_conflict_do_update(
                            index_elements=["key"], set_={"value": upsert.excluded.value}
                        )
                    )
                else:
                    conn.execute(settings.delete().where(settings.c.key == str(key)))

    # --- deleting -----------------------------------------------------------------------

    def delete_patient(self, patient_code: str) -> int:
        """Delete every session, step, annotation and media file of a patient; return the
        number of sessions removed."""
        code = validate_patient_code(patient_code)
        with self._write() as conn:
            ids = list(
                conn.execute(
                    select(sessions.c.id).where(sessions.c.patient_code == code)
                ).scalars()
            )
            if ids:
                for table in (media, steps, annotations):
                    conn.execute(table.delete().where(table.c.session_id.in_(ids)))
            conn.execute(sessions.delete().where(sessions.c.patient_code == code))
            conn.execute(patients.delete().where(patients.c.code == code))
        shutil.rmtree(self.media_dir / code, ignore_errors=True)
        self._erase_freed_space()
        return len(ids)

    def _erase_freed_space(self) -> None:
        if not self.is_postgres:
            # Copies of deleted pages may still sit in the WAL file; folding it into the main
            # file (where secure_delete has zeroed them) and truncating it removes them.
            raw = self._engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
            return
        # PostgreSQL keeps deleted rows until VACUUM reclaims them; do it now for the tables
        # that held the patient (best effort: it needs the tables' owner, see docs/store.md).
        try:
            with self._engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("VACUUM media, steps, annotations, sessions, patients")
        except Exception as exc:  # noqa: BLE001 - the deletion itself is committed
            log.warning("VACUUM after deleting a patient failed: %s", _first_line(exc))

    # --- the media folder (a cache of the database's media bytes) -----------------------

    def _cache_path(self, rel: str) -> Path | None:
        # rel comes from the database (maybe written by another workstation): never let it
        # point outside the media folder.
        path = (self.media_dir / rel).resolve()
        root = self.media_dir.resolve()
        return path if root in path.parents else None

    def _write_cache(self, rel: str, data: bytes) -> None:
        path = self._cache_path(rel)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            (self.media_dir / CACHE_MARKER).touch()
            atomic_write_bytes(path, data)
        except OSError as exc:  # the bytes are in the database; shown once space is back
            log.warning("could not write %s to the media folder: %s", rel, exc)

    def sweep_orphan_media(self) -> int:
        """Remove media folders no media row points at (left by a crash mid-save of an old
        version, or a session deleted elsewhere); return how many were removed."""
        if not self.media_dir.is_dir():
            return 0
        with self._read() as conn:
            known = {
                Path(rel).parent.as_posix() for rel in conn.execute(select(media.c.rel_path))
                .scalars()
            }
        removed = 0
        for patient_dir in self.media_dir.iterdir():
            if not patient_dir.is_dir():
                continue
            for session_dir in patient_dir.iterdir():
                rel = session_dir.relative_to(self.media_dir).as_posix()
                if rel not in known:
                    if session_dir.is_dir():
                        shutil.rmtree(session_dir, ignore_errors=True)
                    else:
                        session_dir.unlink(missing_ok=True)
                    removed += 1
            if not any(patient_dir.iterdir()):
                patient_dir.rmdir()
        return removed

    def prune_media_cache(self) -> int:
        """Remove this workstation's media folders of patients no longer in the database
        (deleted on another workstation sharing the server); return how many.

        Only in a folder this store has written to (it holds ``CACHE_MARKER``): a
        ``media_dir`` pointed at some other folder is never emptied."""
        if not (self.media_dir / CACHE_MARKER).is_file():
            return 0
        with self._read() as conn:
            codes = set(conn.execute(select(patients.c.code)).scalars())
        removed = 0
        for patient_dir in self.media_dir.iterdir():
            if (patient_dir.is_dir() and PATIENT_CODE_RE.fullmatch(patient_dir.name)
                    and patient_dir.name not in codes):
                shutil.rmtree(patient_dir, ignore_errors=True)
                removed += 1
        return removed

    # --- reading ------------------------------------------------------------------------

    def list_patients(self) -> list[str]:
        with self._read() as conn:
            codes = list(conn.execute(select(patients.c.code).order_by(patients.c.code))
                         .scalars())
        self.prune_media_cache()
        return codes

    def list_sessions(self, patient_code: str) -> list[SessionRecord]:
        """All sessions of a patient, newest first, with steps, annotations and media."""
        code = validate_patient_code(patient_code)
        with self._read() as conn:
            ids = conn.execute(
                select(sessions.c.id)
                .where(sessions.c.patient_code == code)
                .order_by(sessions.c.id.desc())
            ).scalars().all()
            return [self._load(conn, sid) for sid in ids]

    def get_session(self, session_id: int) -> SessionRecord:
        with self._read() as conn:
            return self._load(conn, session_id)

    def previous_session(self, session_id: int) -> SessionRecord | None:
        """The same patient's last session before this one that is a distinct session: one
        whose steps differ from this one's. Twins (the same recordings saved twice, as
        versions before schema 3 did on a second click of Save) are skipped."""
        with self._read() as conn:
            current = self._load(conn, session_id)
            earlier_ids = conn.execute(
                select(sessions.c.id)
                .where(sessions.c.patient_code == current.patient_code,
                       sessions.c.id < session_id)
                .order_by(sessions.c.id.desc())
            ).scalars().all()
            for earlier_id in earlier_ids:
                earlier = self._load(conn, earlier_id)
                if earlier.steps != current.steps:
                    return earlier
            return None

    def _load(self, conn: Connection, session_id: int) -> SessionRecord:
        row = conn.execute(
            select(sessions.c.id, sessions.c.patient_code, sessions.c.created_at,
                   sessions.c.note, sessions.c.symptoms_json, sessions.c.uid,
                   sessions.c.updated_at)
            .where(sessions.c.id == session_id)
        ).first()
        if row is None:
            raise StoreError(f"Session {session_id} does not exist (it may have been deleted).")
        record = SessionRecord(
            id=int(row[0]),
            patient_code=row[1],
            created_at=row[2],
            note=row[3],
            symptoms=json.loads(row[4] or "{}"),
            uid=row[5],
            updated_at=row[6],
        )
        for step_key, report_json in conn.execute(
            select(steps.c.step_key, steps.c.report_json)
            .where(steps.c.session_id == session_id).order_by(steps.c.id)
        ):
            record.steps[step_key] = json.loads(report_json)
        for step_key, kind, payload_json in conn.execute(
            select(annotations.c.step_key, annotations.c.kind, annotations.c.payload_json)
            .where(annotations.c.session_id == session_id).order_by(annotations.c.id)
        ):
            record.annotations.setdefault(step_key, {})[kind] = json.loads(payload_json)
        for media_id, step_key, kind, rel, size in conn.execute(
            select(media.c.id, media.c.step_key, media.c.kind, media.c.rel_path,
                   func.length(media.c.data))
            .where(media.c.session_id == session_id).order_by(media.c.id)
        ).all():
            path = self._cache_path(rel)
            if path is None:
                continue
            if size is not None and not (path.is_file() and path.stat().st_size == size):
                # Saved on another workstation (or the cache was cleared): fetch the bytes.
                data = conn.execute(select(media.c.data).where(media.c.id == media_id)).scalar()
                self._write_cache(rel, bytes(data or b""))
            record.media.append(MediaFile(step_key, kind, path))
        return record

    def integrity_ok(self) -> bool:
        """The database is intact: SQLite's own check, and on both no row whose session or
        patient is missing."""
        with self._read() as conn:
            if not self.is_postgres:
                if conn.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok":
                    return False
                if conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    return False
            for table in (steps, media, annotations):
                orphans = conn.execute(
                    select(func.count()).select_from(table)
                    .where(~table.c.session_id.in_(select(sessions.c.id)))
                ).scalar_one()
                if orphans:
                    return False
            lost = conn.execute(
                select(func.count()).select_from(sessions)
                .where(~sessions.c.patient_code.in_(select(patients.c.code)))
            ).scalar_one()
            return lost == 0
