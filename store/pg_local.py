"""A throwaway PostgreSQL server on this machine, from Debian's binaries.

For the tests and CI (the store's tests run against PostgreSQL as well as SQLite), and for
trying the shared store on one computer before a clinic sets up its real server. It is not
how a clinic runs PostgreSQL (see docs/store.md): the server trusts every local connection
and does not fsync.

    python3 -m store.pg_local start /tmp/pg   # prints its URL: postgresql://postgres@...
    python3 -m store.pg_local stop /tmp/pg

PostgreSQL refuses to run as root; as root (CI) the server runs as the ``postgres`` user
Debian's package creates, through ``runuser``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

PG_ROOT = Path("/usr/lib/postgresql")
START_TIMEOUT_S = 60


class PgLocalError(RuntimeError):
    """The local server could not be started (the message says why)."""


def find_bin() -> Path | None:
    """The newest installed ``/usr/lib/postgresql/<version>/bin`` that has initdb."""
    found = [p.parent for p in PG_ROOT.glob("*/bin/initdb")]
    numbered = [b for b in found if b.parent.name.isdigit()]
    return max(numbered, key=lambda b: int(b.parent.name)) if numbered else None


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        raise PgLocalError("running as root without runuser: cannot start PostgreSQL")
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(folder: str | Path) -> str:
    """Create a cluster in ``folder`` (created, must be empty), start it; return its URL."""
    bin_dir = find_bin()
    if bin_dir is None:
        raise PgLocalError(f"PostgreSQL is not installed (no {PG_ROOT}/*/bin/initdb)")
    run_as = _run_as()
    root = Path(folder).resolve()
    root.mkdir(parents=True, exist_ok=True)
    if run_as:
        shutil.chown(root, "postgres", "postgres")
    data, log_file, port = root / "data", root / "server.log", _free_port()
    try:
        subprocess.run(
            [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--locale=C", "--no-sync"],
            check=True, capture_output=True, text=True, cwd=root, timeout=120,
        )
        # The socket goes into the folder too (not /var/run/postgresql, which may not exist).
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log_file), "-w",
             "-t", str(START_TIMEOUT_S), "-o",
             f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
             "-c max_connections=200", "start"],
            check=True, capture_output=True, text=True, cwd=root, timeout=START_TIMEOUT_S + 30,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log_text = log_file.read_text(errors="replace") if log_file.is_file() else ""
        detail = (getattr(exc, "stderr", "") or "").strip() or log_text.strip()
        raise PgLocalError(f"could not start PostgreSQL: {detail[-500:]}") from None
    (root / "url").write_text(f"postgresql://postgres@127.0.0.1:{port}/postgres\n")
    return (root / "url").read_text().strip()


def stop(folder: str | Path, remove: bool = True) -> None:
    """Stop the server started in ``folder`` (immediately: it holds nothing worth keeping)."""
    root = Path(folder).resolve()
    bin_dir = find_bin()
    if bin_dir is not None and (root / "data").is_dir():
        subprocess.run([*_run_as(), str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m",
                        "immediate", "stop"], capture_output=True, cwd=root, timeout=60)
    if remove:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python3 -m store.pg_local start|stop FOLDER", file=sys.stderr)
        return 2
    try:
        if argv[0] == "start":
            print(start(argv[1]))
        else:
            stop(argv[1])
    except PgLocalError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
