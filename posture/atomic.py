"""Write files all-or-nothing: a reader never sees half a report or half a video.

The content goes to a temporary file in the same folder (same file system, so the final
``os.replace`` is atomic); only when writing finished is it renamed over the final name. If
anything fails, including Ctrl-C, the temporary file is removed and an existing file at the
final path is left as it was.

Example::

    with atomic_write_path("out/report.json") as tmp:
        tmp.write_text(json_text)        # or hand tmp to an encoder
    atomic_write_text("out/report.csv", csv_text)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Permissions of a new file (temporary files are created 0600; results are meant to be shared
# like any file the user saves).
NEW_FILE_MODE = 0o644


@contextlib.contextmanager
def atomic_write_path(final_path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``final_path``; move it there only on success.

    The temporary name keeps the final suffix, so tools that pick a format from the file name
    (PyAV, Pillow) behave the same as with the final name.
    """
    final = Path(final_path)
    directory = final.parent if str(final.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(
        dir=directory, prefix=f".{final.name}.", suffix=f".part{final.suffix}"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync(tmp)
        mode = final.stat().st_mode & 0o777 if final.exists() else NEW_FILE_MODE
        os.chmod(tmp, mode)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_write_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    with atomic_write_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)


def _fsync(path: Path) -> None:
    # Flush to disk before the rename, so a power cut cannot leave an empty "finished" file.
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
