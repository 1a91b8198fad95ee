"""Screening-session storage (SQLite), free of any UI code."""

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
