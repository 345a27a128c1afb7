"""A throwaway PostgreSQL server (Debian's `postgresql` package) for the tests.

`python tests/postgres_server.py CMD…` runs the command beside one: the server lives in a
temporary folder on a free port, with durability switched off because nothing in it needs to
survive; the command gets its address in KEFU_TEST_POSTGRES
(`postgresql+asyncpg://postgres@127.0.0.1:PORT`), and the tests make one database per test
there. The fault tests start and stop servers of their own with `PostgresServer`.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200"
)


class PostgresServer:
    """One server in its own temporary folder; `start` and `stop` as often as wanted."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="kefu-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self.port = free_port()
        self._bin = binaries()
        self._data = self.folder / "data"
        _run_as_server_user(
            self._bin / "initdb",
            ["-D", self._data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
            ["--locale=C.UTF-8", "--no-sync"],
        )

    @property
    def url(self) -> str:
        """The server's address for SQLAlchemy, without a database name."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} {SERVER_OPTIONS}"
        _run_as_server_user(self._bin / "pg_ctl", self._control(), ["-o", options, "-w", "start"])

    def stop(self) -> None:
        _run_as_server_user(self._bin / "pg_ctl", self._control(), ["-m", "immediate", "stop"])

    def running(self) -> bool:
        status = [str(self._bin / "pg_ctl"), *map(str, self._control()), "status"]
        return subprocess.run(_as_server_user(status), stdout=subprocess.DEVNULL).returncode == 0

    def remove(self) -> None:
        """Stop the server if it runs, and delete its folder."""
        if self.running():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _control(self) -> list[object]:
        return ["-D", self._data, "-l", self.folder / "server.log"]


def binaries() -> Path:
    """The folder of the newest installed PostgreSQL server's programs."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version)
    if not found:
        sys.exit("PostgreSQL is not installed: apt-get install postgresql")
    return found[-1].parent


def _version(initdb: Path) -> int:
    name = initdb.parent.parent.name
    return int(name) if name.isdigit() else 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: root runs it as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run_as_server_user(program: Path, *arguments: list[object]) -> None:
    command = [str(program), *(str(a) for part in arguments for a in part)]
    subprocess.run(_as_server_user(command), check=True, stdout=subprocess.DEVNULL)


def main(command: list[str]) -> int:
    server = PostgresServer()
    try:
        server.start()
        env = {**os.environ, "KEFU_TEST_POSTGRES": server.url}
        return subprocess.run(command, env=env).returncode
    finally:
        server.remove()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
