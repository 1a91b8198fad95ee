"""Where the session database lives: a SQLite file (default) or a PostgreSQL server.

``POSTURE_DB`` (or ``SessionStore(db_path=...)``) is either a file path or a URL:

- ``data/posture.sqlite3``, ``/srv/posture.sqlite3`` or ``sqlite:///path``: SQLite, one file
  on this machine (the default, as before);
- ``postgresql://user:password@host:5432/dbname`` (``postgres://`` and
  ``postgresql+psycopg://`` too): a PostgreSQL server that every workstation shares, reached
  through psycopg 3.

Engines are made once per target and shared by every ``SessionStore`` of the process (the
app builds a store per browser session; a new connection pool each time would exhaust the
server's connection limit).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

BUSY_TIMEOUT_MS = 30_000
# A save waits this long for a row another workstation is saving at the same moment before
# giving up with a message (PostgreSQL lock_timeout); SQLite's busy_timeout is the same wait.
PG_LOCK_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10

_PG_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class TargetError(ValueError):
    """``POSTURE_DB`` names neither a file path nor a PostgreSQL URL."""


@dataclass(frozen=True)
class DbTarget:
    """A resolved database location: exactly one of ``sqlite_path`` and ``pg_url`` is set."""

    sqlite_path: Path | None = None
    pg_url: URL | None = None

    @property
    def is_postgres(self) -> bool:
        return self.pg_url is not None

    @property
    def display(self) -> str:
        """For messages and logs: the path, or the URL with its password hidden."""
        if self.pg_url is not None:
            return self.pg_url.render_as_string(hide_password=True)
        return str(self.sqlite_path)

    @property
    def key(self) -> str:
        if self.pg_url is not None:
            return self.pg_url.render_as_string(hide_password=False)
        return str(Path(self.sqlite_path).resolve())  # type: ignore[arg-type]


def is_url(value: str | Path) -> bool:
    return isinstance(value, str) and "://" in value


def resolve_target(value: str | Path) -> DbTarget:
    """Turn a path or URL into a target; raise TargetError with a one-line reason."""
    if not is_url(value):
        return DbTarget(sqlite_path=Path(value))
    text = str(value)
    scheme = text.split("://", 1)[0].lower()
    if scheme in ("sqlite", "sqlite+pysqlite"):
        path = text.split("://", 1)[1]
        # sqlite:///relative and sqlite:////absolute, as SQLAlchemy spells them
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise TargetError("A sqlite:/// URL needs a file path after the slashes.")
        return DbTarget(sqlite_path=Path(path))
    if scheme not in _PG_SCHEMES:
        raise TargetError(
            f"POSTURE_DB must be a SQLite file path or a postgresql:// URL, not a {scheme}:// URL."
        )
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise TargetError(f"The PostgreSQL URL in POSTURE_DB is not valid: {exc}") from None
    # Plain postgresql:// would pick psycopg2 (not installed); psycopg 3 is the pinned driver.
    url = url.set(drivername="postgresql+psycopg")
    if not url.database:
        raise TargetError(
            "The PostgreSQL URL needs a database name: postgresql://user:password@host/dbname"
        )
    return DbTarget(pg_url=url)


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(target: DbTarget) -> Engine:
    """The process's one engine for ``target`` (made on first use)."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(target.key)
        if engine is None:
            engine = _pg_engine(target) if target.is_postgres else _sqlite_engine(target)
            _ENGINES[target.key] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests call it between databases; harmless otherwise)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def _sqlite_engine(target: DbTarget) -> Engine:
    path = Path(target.sqlite_path)  # type: ignore[arg-type]
    # NullPool: a connection per operation, as before; nothing keeps the file open between
    # operations (the WAL checkpoint after a deletion needs no idle readers).
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        poolclass=NullPool,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API objects
        # sqlite3 must not open transactions on its own (it would not for SELECT, and would
        # commit before DDL); we emit BEGIN ourselves below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # WAL: readers never block the writer; a killed writer leaves the last commit intact.
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        # Deleting a patient overwrites the freed pages, so deleted data leaves the file too.
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        # IMMEDIATE takes the write lock at the start: two writers queue up (busy_timeout)
        # instead of both reading and one failing to upgrade its lock half way.
        if conn.get_execution_options().get("posture_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _pg_engine(target: DbTarget) -> Engine:
    url: URL = target.pg_url  # type: ignore[assignment]
    # libpq "options" from the URL (e.g. a search_path) are kept, the lock timeout added.
    given = url.query.get("options", "")
    given = " ".join(given) if isinstance(given, tuple) else given
    options = f"{given} -c lock_timeout={PG_LOCK_TIMEOUT_MS}".strip()
    return create_engine(
        url.difference_update_query(["options"]),
        pool_size=3,
        max_overflow=7,
        pool_pre_ping=True,  # a workstation left open overnight finds its connections dropped
        connect_args={
            "connect_timeout": PG_CONNECT_TIMEOUT_S,
            "application_name": "posture",
            "options": options,
        },
    )
