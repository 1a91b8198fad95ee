"""Shared test fixtures.

The real clips live in ../shared/media beside the project checkout and are never copied
into it; tests that need them take the ``shared_media`` fixture and skip, saying why,
where that folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_MEDIA = PROJECT_ROOT.parent / "shared" / "media"


@pytest.fixture(scope="session")
def shared_media() -> Path:
    if not (SHARED_MEDIA / "README.md").is_file():
        pytest.skip(f"real clips not found: {SHARED_MEDIA} is absent (it sits beside the checkout)")
    return SHARED_MEDIA
