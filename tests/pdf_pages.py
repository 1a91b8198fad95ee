"""PDF pages in tests: how many there are, and one rendered to pixels by poppler's
``pdftoppm``, with a copy kept in ``test-artifacts/`` for people to look at."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def render_page(pdf: bytes, page: int, tmp_path: Path, artifact: str,
                dpi: int = 70) -> np.ndarray:
    """Page ``page`` (1 = first) as an (H, W, 3) int array, copied to
    ``test-artifacts/artifact``; the test is skipped where pdftoppm is not installed."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    pdf_path = tmp_path / "rendered.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page),
                    str(pdf_path), str(tmp_path / "page")], check=True, timeout=60)
    [png] = sorted(tmp_path.glob("page*.png"))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(png, ARTIFACTS / artifact)
    with Image.open(png) as image:
        return np.asarray(image.convert("RGB")).astype(int)
