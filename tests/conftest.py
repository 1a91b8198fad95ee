"""Shared test fixtures.

The real clips live in ../shared/media beside the project checkout and are never copied
into it; tests that need them take the ``shared_media`` fixture and skip, saying why,
where that folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_MEDIA = PROJECT_ROOT.parent / "shared" / "media"


@pytest.fixture(scope="session")
def shared_media() -> Path:
    if not (SHARED_MEDIA / "README.md").is_file():
        pytest.skip(f"real clips not found: {SHARED_MEDIA} is absent (it sits beside the checkout)")
    return SHARED_MEDIA


# Property tests draw the same examples on every run (CI must not turn red on a draw that
# a later run would not repeat); set HYPOTHESIS_PROFILE=explore to search afresh.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
