"""
A throwaway PostgreSQL cluster driven from Python, the way ``.ci/with-postgres`` drives one from
bash: initdb into a temporary directory, serve on a free loopback port without durability, and
stop / start it at will (same data directory, same port) so tests can take the database away
from a running app and give it back.

    with PostgresServer() as server:
        server.create_database("oioi")
        ...
        server.stop()
        server.start()
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from bench.run import free_port

# .ci/with-postgres prefers 15 (what CI and production run), then the newest installed.
PREFERRED_BINDIR = Path("/usr/lib/postgresql/15/bin")
INITDB_FAST = ["-A", "trust", "--no-sync"]
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under "
    "/usr/lib/postgresql/*/bin; install postgresql-15."
)


def find_bindir():
    """The directory of initdb and pg_ctl; RuntimeError naming what to install if none."""
    pg_ctl, initdb = shutil.which("pg_ctl"), shutil.which("initdb")
    if pg_ctl and initdb:
        return Path(pg_ctl).resolve().parent
    others = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: [
            int(part) if part.isdigit() else 0 for part in path.parent.name.split(".")
        ],
        reverse=True,
    )
    for bindir in [PREFERRED_BINDIR, *others]:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise RuntimeError(MISSING)


def unprivileged_user():
    """The user the server runs as when we are root (it refuses root), created if need be."""
    for name in ("postgres", "oioi-ci"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    # As .ci/with-postgres does; useradd from PATH like every tool the script runs.
    useradd = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
    subprocess.run([*useradd, "oioi-ci"], check=True)  # noqa: S607
    return "oioi-ci"


class PostgresServer:
    """One cluster in its own temporary directory; ``close()`` stops it and removes it all."""

    def __init__(self):
        self.bindir = find_bindir()
        self.run_as = []
        # Not under pytest's tmp_path: its parents are private to root, and the server's user
        # must reach the data directory and the socket directory.
        self.dir = Path(tempfile.mkdtemp(prefix="oioi-pg-"))
        if os.geteuid() == 0:
            user = unprivileged_user()
            shutil.chown(self.dir, user)
            self.run_as = ["runuser", "-u", user, "--"]
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = free_port()

    def __enter__(self):
        try:
            self.init()
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _run(self, *args, timeout=60):
        done = subprocess.run(
            [*self.run_as, str(self.bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{args[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                f"{self.log_tail()}"
            )
        return done

    def log_tail(self, chars=3000):
        try:
            return "\n--- server log ---\n" + self.log.read_text()[-chars:]
        except OSError:
            return ""

    def init(self):
        # --no-sync and the settings in start(): durability is pointless for a throwaway
        # cluster, and speed keeps the test short.
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8", *INITDB_FAST)

    def start(self):
        """Start (or restart) the server on the same port and data, and wait until it accepts."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")

    def stop(self, mode="fast"):
        """
        Stop the server. ``fast`` (pg_ctl's default) ends every session at once: clients in the
        middle of a statement get "terminating connection due to administrator command", idle
        ones find their connection dead the next time they use it.
        """
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self):
        """Whether the server is up (pg_ctl status: 0 running, 3 stopped)."""
        status = [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"]
        return subprocess.run(status, capture_output=True, timeout=60, check=False).returncode == 0

    def close(self):
        # Immediate: nothing to keep, and it must work whatever state a failed test left.
        stop = ["pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"]
        subprocess.run(
            [*self.run_as, str(self.bindir / stop[0]), *stop[1:]],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database="postgres", autocommit=True):
        return psycopg.connect(self.url(database), autocommit=autocommit, connect_timeout=10)

    def create_database(self, name):
        with self.connect() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
