"""A throwaway PostgreSQL cluster for the backend tests: initdb into a temp folder, a loopback port, stopped after.

Real PostgreSQL, never a mock: the rules that protect people (two-person approval, lockout, one active version) are
only worth testing against the engine that enforces them in production. Debian's server binaries live in
/usr/lib/postgresql/<major>/bin and are not on PATH; `make test` installs the `postgresql` package when they are
missing. PostgreSQL refuses to run as root, so when the tests run as root the cluster runs as the `postgres` user
(created by the Debian package). When no server can be found the tests that need one are skipped with that reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def server_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: Debian's newest major version, else whatever is on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One PostgreSQL server in its own folder; ``dsn(dbname)`` for psycopg or DuckDB's postgres/ducklake attach."""

    def __init__(self, bindir: Path, folder: Path | None = None, port: int | None = None):
        self.bindir = bindir
        self.folder = Path(folder or tempfile.mkdtemp(prefix="sw-pg-"))
        self.data = self.folder / "data"
        self.port = port or free_port()
        self.user = "postgres"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> "Cluster":
        if self._as_postgres:
            shutil.chown(self.folder, "postgres")
            os.chmod(self.folder, 0o700)
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        with open(self.data / "postgresql.conf", "a") as conf:
            # loopback only, sockets in our own folder (no clash with a system cluster), a fast throwaway server
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                       f"unix_socket_directories = '{self.folder}'\nfsync = off\nsynchronous_commit = off\n"
                       "full_page_writes = off\nmax_connections = 200\n")
        return self

    def start(self) -> "Cluster":
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq key/value form: what ``SUPPLYWATCH_WAREHOUSE=ducklake:postgres:<dsn>`` takes."""
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname}"

    def url(self, dbname: str = "postgres") -> str:
        """URL form: what ``SUPPLYWATCH_APP_DB=postgresql://...`` takes."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """A fresh, empty database on this server; returns its name."""
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{name}"')
        return name

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        done = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", self.dsn(dbname), "-c", sql],
                              check=True, capture_output=True, text=True, timeout=60)
        return done.stdout.strip()


def start_cluster() -> Cluster:
    """Init and start a cluster, or raise RuntimeError saying why not (the fixture turns it into a skip)."""
    bindir = server_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found (`make test` installs Debian's postgresql)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        raise RuntimeError("running as root without runuser: cannot start PostgreSQL as the postgres user")
    cluster = Cluster(bindir)
    try:
        cluster.init().start()
    except subprocess.CalledProcessError as exc:
        log = cluster.folder / "server.log"
        detail = (exc.stderr or "").strip().splitlines()[-1:] or [log.read_text()[-300:] if log.exists() else ""]
        cluster.remove()
        raise RuntimeError(f"PostgreSQL did not start: {detail[0]}") from exc
    deadline = time.monotonic() + 30
    while True:
        try:
            cluster.psql("SELECT 1")
            return cluster
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                cluster.remove()
                raise RuntimeError("PostgreSQL started but does not answer on its port")
            time.sleep(0.2)
