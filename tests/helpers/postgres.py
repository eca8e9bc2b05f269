"""A throwaway PostgreSQL server for the tests: a new cluster in a temporary
folder, listening only on a Unix socket there, with durability switched off
(nothing in it outlives the run).

`.ci/run` starts one with `python tests/helpers/postgres.py start DIR` (it
prints the address to put in CIVIC_REFLECT_TEST_POSTGRES) and stops it with
`... stop DIR`, even when the tests fail. Locally, tests/conftest.py starts one
itself when that variable is not set and the server programs are installed.

PostgreSQL refuses to run as root; as root, the cluster belongs to the
`postgres` user (made by Debian's package) or, failing that, `nobody`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ENVIRONMENT_VARIABLE = "CIVIC_REFLECT_TEST_POSTGRES"
NO_POSTGRES = ("PostgreSQL runs skipped: no PostgreSQL server programs (initdb, pg_ctl) on this "
               f"machine; install Debian's postgresql package or set {ENVIRONMENT_VARIABLE}")
# Durability buys nothing in a cluster thrown away after the run.
_FAST = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
         " -c max_connections=300 -c listen_addresses=''")
# A server a test halts as a crash would: a commit it acknowledged is kept
# (with synchronous_commit off, the last ones would be lost with the server's
# memory, which a real installation never does). The files may stay unsynced:
# the machine itself does not crash.
_DURABLE = "-c fsync=off -c max_connections=300 -c listen_addresses=''"


def server_programs() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, or Debian's
    /usr/lib/postgresql/<version>/bin (newest first); None if neither."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True,
                         key=lambda p: _version(p.parent.name)):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _owner() -> str | None:
    """Who runs the server: ourselves, unless we are root."""
    if getattr(os, "geteuid", lambda: -1)() != 0:
        return None
    import pwd  # only on Unix, where a root user exists

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL")


class ThrowawayPostgres:
    def __init__(self, folder: Path | None = None, *, durable: bool = False):
        programs = server_programs()
        if programs is None:
            raise FileNotFoundError("no PostgreSQL server programs (initdb, pg_ctl) found")
        self.programs = programs
        # Short: a Unix socket's path must stay under about 100 bytes.
        self.folder = Path(folder or tempfile.mkdtemp(prefix="crpg-", dir="/tmp"))
        self.data = self.folder / "data"
        self.user = _owner()
        self.options = _DURABLE if durable else _FAST

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.folder}"

    def _run(self, *command: str) -> None:
        result = subprocess.run(command, user=self.user, capture_output=True, text=True,
                                check=False, cwd=self.folder)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed ({result.returncode}): "
                               f"{(result.stderr or result.stdout).strip()[-2000:]}")

    def start(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            import pwd

            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.folder.chmod(0o700)
        # C collation: text sorts byte by byte, as in SQLite.
        self._run(str(self.programs / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
        self.resume()
        return self.url

    def halt(self) -> None:
        """Stop the server as a crash or an operator would, keeping its data."""
        self._run(str(self.programs / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                  "-w", "stop")

    def resume(self) -> None:
        """Start a halted server again, on the same socket, with the same data."""
        self._run(str(self.programs / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.folder / "server.log"), "-w", "-t", "60", "-o",
                  f"{self.options} -k {self.folder}", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.programs / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: tests/helpers/postgres.py start|stop FOLDER", file=sys.stderr)
        return 2
    server = ThrowawayPostgres(Path(argv[1]))
    if argv[0] == "start":
        print(server.start())
    else:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
