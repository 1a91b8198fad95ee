"""A small step report for the store's tests (SQLite and PostgreSQL alike)."""

from __future__ import annotations


def step_report(value: float) -> dict:
    """A report with one bent-knee finding and its knee measurement at ``value`` deg."""
    return {
        "schema_version": "1",
        "findings": [
            {"id": "bent_knee", "status": "detected", "severity": "mild", "value": value,
             "unit": "deg"}
        ],
        "measurements": {"knee_flexion_left_deg": {"median": value, "unit": "deg"}},
    }
