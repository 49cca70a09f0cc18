"""
The dependency audit of `make lint` (.ci/audit): every package of uv.lock is asked about at an
OSV advisory service, here a real local HTTP server playing api.osv.dev, and a known
vulnerability fails the lint.
"""

import json
import os
import subprocess
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
ADVISORY = "GHSA-0000-test-0001"


class AdvisoryServer:
    """OSV's querybatch and vulns endpoints, answering with the advisories it is given."""

    def __init__(self):
        self.vulnerable = set()
        self.queried = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                queries = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.queried += [q["package"]["name"] for q in queries["queries"]]
                results = [
                    {"vulns": [{"id": ADVISORY, "modified": "2026-11-01T00:00:00Z"}]}
                    if q["package"]["name"] in server.vulnerable
                    else {}
                    for q in queries["queries"]
                ]
                self.answer({"results": results})

            def do_GET(self):
                name = next(iter(server.vulnerable))
                self.answer(
                    {
                        "id": ADVISORY,
                        "summary": "A test advisory",
                        "modified": "2026-11-01T00:00:00Z",
                        "affected": [
                            {
                                "package": {"ecosystem": "PyPI", "name": name},
                                "ranges": [
                                    {
                                        "type": "ECOSYSTEM",
                                        "events": [{"introduced": "0"}, {"fixed": "999.0"}],
                                    }
                                ],
                            }
                        ],
                    }
                )

            def answer(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def advisories():
    server = AdvisoryServer()
    yield server
    server.close()


def audit(osv_url, **env):
    return subprocess.run(
        [ROOT / ".ci" / "audit"],
        env={**os.environ, "OSV_URL": osv_url, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def locked_packages():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {package["name"] for package in lock["package"] if "source" in package} - {"oioi-portal"}


def test_every_locked_package_is_audited_and_none_known_passes(advisories):
    result = audit(advisories.url)
    assert result.returncode == 0, result.stdout + result.stderr
    # Runtime and dev dependencies alike: pytest and ruff are in the lock as Django is.
    assert set(advisories.queried) == locked_packages()
    assert {"django", "pytest", "ruff"} <= set(advisories.queried)


def test_a_known_vulnerability_fails_the_lint_and_is_named(advisories):
    advisories.vulnerable = {"django"}
    result = audit(advisories.url)
    assert result.returncode != 0
    assert ADVISORY in result.stdout and "django" in result.stdout


def test_an_unreachable_advisory_database_is_said_and_fails_only_make_audit(advisories):
    advisories.close()  # nothing listens there any more
    result = audit(advisories.url)
    assert result.returncode == 0
    assert "dependency audit NOT RUN" in result.stderr
    required = audit(advisories.url, AUDIT_REQUIRED="1")
    assert required.returncode != 0
    assert "dependency audit NOT RUN" in required.stderr
