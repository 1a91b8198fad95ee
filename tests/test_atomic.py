"""All-or-nothing file writes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from posture.atomic import atomic_write_bytes, atomic_write_path, atomic_write_text


def test_success_moves_the_temp_file_into_place(tmp_path: Path) -> None:
    final = tmp_path / "report.json"
    with atomic_write_path(final) as tmp:
        assert tmp.parent == final.parent and tmp != final
        assert tmp.name.endswith(".json")  # keeps the suffix for format-guessing writers
        tmp.write_text("{}")
        assert not final.exists()  # nothing visible until the block finished
    assert final.read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert stat.S_IMODE(final.stat().st_mode) == 0o644


def test_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    final = tmp_path / "report.json"
    final.write_text("old")
    with pytest.raises(ZeroDivisionError), atomic_write_path(final) as tmp:
        tmp.write_text("half-writt")
        1 / 0  # noqa: B018
    assert final.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_keyboard_interrupt_also_cleans_up(tmp_path: Path) -> None:
    final = tmp_path / "new.csv"
    with pytest.raises(KeyboardInterrupt), atomic_write_path(final) as tmp:
        tmp.write_text("a,b")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_overwrite_keeps_the_existing_permissions(tmp_path: Path) -> None:
    final = tmp_path / "x.txt"
    final.write_text("old")
    final.chmod(0o600)
    atomic_write_text(final, "new ü")
    assert final.read_text(encoding="utf-8") == "new ü"
    assert stat.S_IMODE(final.stat().st_mode) == 0o600


def test_write_bytes(tmp_path: Path) -> None:
    atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_missing_folder_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "nope" / "x.txt", "a")
    assert list(tmp_path.iterdir()) == []
