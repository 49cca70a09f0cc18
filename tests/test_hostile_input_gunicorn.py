"""
One request of each class of hostile input (tests/test_hostile_input.py) sent to the real
gunicorn under the production configuration: each is answered with a 4xx in its interface's
envelope, and gunicorn's error log holds no server error or traceback for any of them.
Runs on a throwaway database beside the suite's (SQLite, or the PostgreSQL server of
DATABASE_URL); needs no Django test database.
"""

import json
import os
import secrets
from base64 import b64encode
from pathlib import Path

import httpx
import pytest

from bench.run import free_port, gunicorn, throwaway_database
from tests.helpers import manage

pytestmark = pytest.mark.slow

# Every answer well within this: a hang fails the test.
CLIENT_TIMEOUT = 10.0
MAX_FIELDS = 1000  # Django's DATA_UPLOAD_MAX_NUMBER_FIELDS, which the settings keep
# Short, to stay within gunicorn's request line limit (4094 bytes), beyond which gunicorn
# itself answers 414 before Django sees the request.
TOO_MANY_FIELDS = "&".join(["f"] * (MAX_FIELDS + 1))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn serving a migrated throwaway database, with a partner's key; and its log."""
    tmp = tmp_path_factory.mktemp("hostile-gunicorn")
    with throwaway_database(tmp) as database_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "oioi_portal.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "VAR_DIR": str(tmp),
            "LOG_LEVEL": "INFO",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "2",
            "GUNICORN_CMD_ARGS": "--no-control-socket",
        }

        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "partner", "create", "Hostile CPO", "--role", "cpo")
        key = manage(env, "partner", "issue-key", "Hostile CPO", "--label", "hostile").splitlines()[
            -1
        ]
        port = free_port()
        with gunicorn(env, port) as process:
            yield {"url": f"http://127.0.0.1:{port}", "key": key, "pid": process.pid}


def error_log(pid):
    # gunicorn's error log and Django's logging share the master's standard error (a file).
    return Path(f"/proc/{pid}/fd/2").read_text(errors="replace")


def oioi(server, body, *, query="", host=None):
    headers = {"Authorization": f"key={server['key']}", "Content-Type": "application/json"}
    if host:
        headers["Host"] = host
    return httpx.post(
        f"{server['url']}/api/v4/request{query}",
        content=body,
        headers=headers,
        timeout=CLIENT_TIMEOUT,
    )


def rest(server, path, *, host=None):
    headers = {"Authorization": f"key={server['key']}"}
    if host:
        headers["Host"] = host
    return httpx.get(f"{server['url']}{path}", headers=headers, timeout=CLIENT_TIMEOUT)


def test_each_class_is_a_4xx_in_its_envelope_and_no_server_error_is_logged(server):
    deep = "[" * 100_000 + "]" * 100_000
    oioi_requests = {
        "surrogate in the call name": oioi(server, '{"\\ud800": {}}'),
        "surrogate in a field": oioi(server, '{"station-post": {"partner-identifier": "\\ud800"}}'),
        "deep nesting, ignored": oioi(server, '{"station-post": {"x": ' + deep[:400] + "}}"),
        "deep nesting, beyond": oioi(server, '{"station-post": {"x": ' + deep + "}}"),
        "too many parameters": oioi(
            server, '{"api-minimum-version-number": {}}', query="?" + TOO_MANY_FIELDS
        ),
        "foreign host": oioi(server, '{"api-minimum-version-number": {}}', host="attacker.example"),
    }
    cursor = b64encode(b"p=zzz").decode()
    rest_requests = {
        "too many parameters": rest(server, f"/api/v1/cdrs/?{TOO_MANY_FIELDS}"),
        "surrogate bytes": rest(server, "/api/v1/cdrs/?since=%ED%A0%80&evse_id=%ED%A0%80"),
        "crafted cursor": rest(server, f"/api/v1/requests/?cursor={cursor}"),
        "year 1 beyond UTC": rest(server, "/api/v1/cdrs/?since=0001-01-01T00:00:00%2B01:00"),
        "year 9999 beyond UTC, export": rest(
            server, "/api/v1/cdrs/?format=csv&until=9999-12-31T23:59:59-01:00"
        ),
        "foreign host": rest(server, "/api/v1/cdrs/", host="attacker.example"),
    }
    for name, response in oioi_requests.items():
        assert 400 <= response.status_code < 500, (name, response.text[:300])
        assert response.json()["result"]["code"] == 230, name
    for name, response in rest_requests.items():
        assert 400 <= response.status_code < 500, (name, response.text[:300])
        assert response.headers["Content-Type"] == "application/json", name
        assert response.json(), name
    # People's pages answer Django's HTML 400; Django logs it, as one warning line.
    page = httpx.get(f"{server['url']}/accounts/login/?{TOO_MANY_FIELDS}", timeout=CLIENT_TIMEOUT)
    assert page.status_code == 400
    foreign = httpx.get(
        f"{server['url']}/accounts/login/", headers={"Host": "x.example"}, timeout=CLIENT_TIMEOUT
    )
    assert foreign.status_code == 400

    log = error_log(server["pid"])
    assert "Bad Request" in log or "refused" in log  # the requests did reach the log
    for sign in ("Traceback", "Internal Server Error", " ERROR "):
        assert sign not in log, log[-3000:]
    assert json.dumps(log)  # no undecodable bytes either
