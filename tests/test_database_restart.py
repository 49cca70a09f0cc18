"""
Issue 8 against a real PostgreSQL server and a real gunicorn: the database goes away while the
app serves (mid-transaction included), every OIOI request meanwhile answers 503 with Retry-After
and result code 101 at once, nothing half-written survives, and once the server is back the same
gunicorn workers serve again by themselves.

The test starts its own PostgreSQL cluster whatever database the suite runs on (SQLite with
`make test`, another server with `make test-postgres`), and talks to gunicorn and PostgreSQL as
child processes only: it needs no Django test database (no ``db`` fixture).
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from bench.run import ROOT, free_port, gunicorn
from tests.helpers import manage
from tests.postgres_server import PostgresServer

pytestmark = pytest.mark.slow

OPERATOR_ID = "DE*RST"
IDENTIFIER = "restart-cpo-identifier-0001"
EVSE_ID = "DE*RST*E0001"
WORKERS = 2
THREADS = 4
# A request must be answered well within this, database or not: a hang fails the test.
CLIENT_TIMEOUT = 10.0
RECOVERY_DEADLINE = 15.0
# Twice the worker threads at once: enough to reach every thread's pooled connection.
PARALLEL = 2 * WORKERS * THREADS


@pytest.fixture(scope="module")
def postgres():
    try:
        server = PostgresServer()
    except RuntimeError as exc:
        # CI and dev machines have PostgreSQL 15: missing binaries are a broken set-up.
        pytest.fail(str(exc))
    with server:
        server.create_database("oioi")
        yield server


@pytest.fixture(autouse=True)
def postgres_running(postgres):
    """Each test starts with the server up, even after one that failed while it was down."""
    if not postgres.running():
        postgres.start()


@dataclass
class Platform:
    url: str
    key: str
    master_pid: int

    def call(self, call, payload):
        """One OIOI request on a fresh connection (no keep-alive state between phases)."""
        return httpx.post(
            f"{self.url}/api/v4/request",
            content=json.dumps({call: payload}),
            headers={"Authorization": f"key={self.key}", "Content-Type": "application/json"},
            timeout=CLIENT_TIMEOUT,
        )

    def ping(self):
        """A call that needs the database (the API key is looked up) and changes nothing."""
        return self.call("api-minimum-version-number", {})

    def log(self, chars=4000):
        """The tail of gunicorn's standard error, where Django logs (bench.run keeps it in an
        unnamed temporary file; the master's fd 2 still reaches it)."""
        try:
            return (
                "\n--- gunicorn log ---\n"
                + Path(f"/proc/{self.master_pid}/fd/2").read_text(errors="replace")[-chars:]
            )
        except OSError:
            return ""

    def workers(self):
        """The pids of the master's worker processes."""
        pids = set()
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(
                    line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
                )
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.master_pid):
                pids.add(int(status.parent.name))
        return pids


@pytest.fixture(scope="module")
def platform(postgres, tmp_path_factory):
    """Migrated database, a CPO with a key from the operator commands, gunicorn serving it."""
    var_dir = tmp_path_factory.mktemp("database-restart")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oioi_portal.settings",
        "DATABASE_URL": postgres.url("oioi"),
        "DEBUG": "",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        # gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl),
        # which a second server running at the same time (another test run) would share.
        "GUNICORN_CMD_ARGS": "--no-control-socket",
    }
    # Production's defaults: persistent connections with health checks, which is what meets a
    # server that went away under idle pooled connections.
    env.pop("CONN_MAX_AGE", None)

    manage(env, "migrate", "--noinput", "--verbosity", "0")
    cpo = ["--role", "cpo", "--operator-id", OPERATOR_ID, "--partner-identifier", IDENTIFIER]
    manage(env, "partner", "create", "Restart CPO", *cpo)
    # The plaintext is the last line of the output, printed this once.
    key = manage(
        env, "partner", "issue-key", "Restart CPO", "--label", "restart test"
    ).splitlines()[-1]
    port = free_port()
    with gunicorn(env, port) as process:
        yield Platform(url=f"http://127.0.0.1:{port}", key=key, master_pid=process.pid)


def station(station_id, evse_id):
    return {
        "partner-identifier": IDENTIFIER,
        "station": {
            "id": station_id,
            "name": f"Restart site {station_id}",
            "latitude": 52.52,
            "longitude": 13.40,
            "address": {
                "street": "Teststr.",
                "street-number": "1",
                "city": "Berlin",
                "zip": "10115",
                "country": "DE",
            },
            "contact": {"phone": "+49 30 0"},
            "cpo-id": OPERATOR_ID,
            "is-open-24": True,
            "connectors": [{"id": evse_id, "name": "Type2", "speed": 22}],
        },
    }


def status(value):
    return {"partner-identifier": IDENTIFIER, "connector-id": EVSE_ID, "status": value}


def answer(response):
    return response.status_code, response.json()["result"]["code"]


def assert_unavailable(response, platform):
    """503, Retry-After, result 101 in an OIOI envelope: what a partner's client retries on."""
    assert response.status_code == 503, response.text + platform.log()
    assert response.headers["Content-Type"] == "application/json"
    assert int(response.headers["Retry-After"]) > 0
    result = response.json()["result"]
    assert result["code"] == 101, result
    assert result["message"]


def in_parallel(function, count):
    """``count`` calls at once: spread over the workers' threads, each with its own pooled
    connection, rather than all served by the thread that happens to answer first."""
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: function(), range(count)))


def rows(postgres, sql, *params):
    with postgres.connect("oioi") as conn:
        return conn.execute(sql, params).fetchall()


def wait_for(condition, timeout, what):
    """Poll ``condition`` until it returns something true, which is returned; bounded."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.05)
    return value


@contextmanager
def held_write(postgres, platform, payload):
    """
    A connector-post-status sent to the platform and held inside its transaction: a SHARE lock
    on the station table lets it insert its history row and update the connector, then stops it
    at its last statement (the station's update). Yields the pending answer, the backend pid of
    the held write and an observer connection; the lock is released on leaving.
    """
    locker = postgres.connect("oioi", autocommit=False)
    locker.execute("LOCK TABLE stations_station IN SHARE MODE")
    try:
        with ThreadPoolExecutor(1) as pool, postgres.connect("oioi") as observer:
            pending = pool.submit(platform.call, "connector-post-status", payload)
            blocked = """SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                AND query LIKE 'UPDATE "stations_station"%'"""
            (pid,) = wait_for(
                lambda: observer.execute(blocked).fetchone(),
                CLIENT_TIMEOUT,
                "connector-post-status waiting on the station table",
            )
            # It has written already: it holds the locks of its insert and update.
            written = observer.execute(
                "SELECT relation::regclass::text FROM pg_locks WHERE pid = %s "
                "AND mode = 'RowExclusiveLock' AND granted",
                [pid],
            ).fetchall()
            assert {"stations_connectorstatuschange", "stations_connector"} <= {
                name for (name,) in written
            }
            yield pending, pid, observer
            pending.result()  # answered before the pool and the observer close
    finally:
        # The lock holder's session may have been ended with the server.
        with suppress(psycopg.Error):
            locker.close()


def test_a_restart_while_idle_is_invisible_to_partners(postgres, platform):
    """
    Every worker thread holds a persistent connection (CONN_MAX_AGE) that the restart kills.
    The health check Django runs on a reused connection at the start of a request replaces it,
    so not even the first request after the restart fails.
    """
    assert {answer(r) for r in in_parallel(platform.ping, PARALLEL)} == {(200, 0)}
    postgres.stop()
    postgres.start()
    for _ in range(2):
        responses = in_parallel(platform.ping, PARALLEL)
        assert [answer(r) for r in responses] == [(200, 0)] * PARALLEL, platform.log()


def test_postgresql_down_answers_503_101_and_the_app_recovers_when_it_returns(postgres, platform):
    workers = platform.workers()
    assert len(workers) == WORKERS

    # --- Before: writes succeed, and every worker thread holds a pooled connection. ----------
    assert answer(platform.call("station-post", station("ST-BEFORE", EVSE_ID))) == (200, 0)
    assert answer(platform.call("connector-post-status", status("Occupied"))) == (200, 0)
    assert {answer(r) for r in in_parallel(platform.ping, PARALLEL)} == {(200, 0)}

    connector_state = """
        SELECT c.status, count(h.id) FROM stations_connector c
        LEFT JOIN stations_connectorstatuschange h ON h.connector_id = c.id
        WHERE c.evse_id = %s GROUP BY c.status"""

    # --- A write's session is ended in the middle of its transaction. -------------------------
    # Ended by the server while another session still holds the lock it waits on, so nothing
    # can let it finish first: the answer is 503 / 101, and it left nothing behind.
    with held_write(postgres, platform, status("Available")) as (pending, pid, observer):
        observer.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert_unavailable(pending.result(), platform)
    assert rows(postgres, connector_state, EVSE_ID) == [("Occupied", 1)]

    # --- The server goes down under a write waiting inside its transaction. -------------------
    # The shutdown ends the lock holder's session and the waiting one's at about the same time.
    # Whichever the server ends first decides the outcome, so both are right, but the answer
    # must tell the truth: 0 only for a write that is stored (checked once the server is back),
    # 503 / 101 only for one that is not.
    with held_write(postgres, platform, status("Available")) as (pending, _, _):
        postgres.stop()
        interrupted = pending.result()
    if interrupted.status_code != 200:
        assert_unavailable(interrupted, platform)
    interrupted_stored = answer(interrupted) == (200, 0)

    # --- While it is down: every request fails fast with 503 / 101, none hangs or 500s. ------
    # Each thread's first request finds its pooled connection dead (Django's health check drops
    # it) and the reconnect refused, later ones are refused outright: OperationalError either
    # way, as was the terminated session above.
    during = [
        *in_parallel(platform.ping, PARALLEL),
        platform.call("station-post", station("ST-DURING", "DE*RST*E0002")),
        platform.call("connector-post-status", status("Offline")),
    ]
    for response in during:
        assert_unavailable(response, platform)
    # Answered at once (a refused connection), not after some timeout.
    assert max(response.elapsed.total_seconds() for response in during) < 2
    health = httpx.get(f"{platform.url}/healthz", timeout=CLIENT_TIMEOUT)
    assert health.status_code == 503

    # --- It comes back: the same workers serve again by themselves, within seconds. ----------
    postgres.start()
    wait_for(lambda: platform.ping().status_code == 200, RECOVERY_DEADLINE, "recovery")
    # Every thread's connection recovered, not only the one that answered first.
    for _ in range(2):
        responses = in_parallel(platform.ping, PARALLEL)
        assert [answer(r) for r in responses] == [(200, 0)] * PARALLEL, platform.log()
    assert platform.workers() == workers, "a worker was restarted"

    # --- Nothing half-written; what was written before the outage is intact. -----------------
    assert rows(postgres, "SELECT external_id FROM stations_station ORDER BY id") == [
        ("ST-BEFORE",)
    ]
    # The write interrupted by the shutdown: stored with its history row if it was answered 0,
    # else neither its history row nor the connector's new status.
    expected = [("Available", 2)] if interrupted_stored else [("Occupied", 1)]
    assert rows(postgres, connector_state, EVSE_ID) == expected, answer(interrupted)

    # --- The writes refused during the outage, retried, are stored exactly once. -------------
    for _ in range(2):  # a client retrying twice (e.g. a lost answer) stores it once too
        retried = platform.call("station-post", station("ST-DURING", "DE*RST*E0002"))
        assert answer(retried) == (200, 0), retried.text
    assert rows(
        postgres, "SELECT count(*) FROM stations_station WHERE external_id = %s", "ST-DURING"
    ) == [(1,)]
    assert answer(platform.call("connector-post-status", status("Offline"))) == (200, 0)
    assert rows(postgres, connector_state, EVSE_ID) == [("Offline", expected[0][1] + 1)]


def test_a_database_host_that_never_answers_fails_fast():
    """
    A host that takes the connection but never speaks (a dead peer behind a firewall that
    drops packets) costs DATABASE_CONNECT_TIMEOUT seconds, not the worker's whole timeout.
    """
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel completes handshakes; nobody ever answers on them
        port = silent.getsockname()[1]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "oioi_portal.settings",
            "DATABASE_URL": f"postgres://nobody@127.0.0.1:{port}/oioi",
            "DATABASE_CONNECT_TIMEOUT": "1",
            "DEBUG": "1",
        }
        code = "from django.db import connection\nconnection.ensure_connection()"
        # Without the setting this waits forever: the subprocess timeout fails the test then.
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert "OperationalError" in done.stderr and "timeout expired" in done.stderr, done.stderr
