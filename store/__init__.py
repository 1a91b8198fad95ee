"""Screening-session storage (a SQLite file or a shared PostgreSQL server), free of any UI
code. See docs/store.md."""

from .sessions import (
    DB_ENV_VAR,
    SCHEMA_VERSION,
    MediaFile,
    SessionRecord,
    SessionStore,
    StoreError,
    default_db_path,
    validate_patient_code,
)

__all__ = [
    "DB_ENV_VAR",
    "SCHEMA_VERSION",
    "MediaFile",
    "SessionRecord",
    "SessionStore",
    "StoreError",
    "default_db_path",
    "validate_patient_code",
]
