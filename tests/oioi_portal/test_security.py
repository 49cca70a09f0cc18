"""Production settings, security headers and secrets kept out of logs."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import oioi_post

ROOT = Path(__file__).resolve().parents[2]

# The environment docs/operations.md gives a production deployment.
PRODUCTION_ENV = {
    "ALLOWED_HOSTS": "oioi.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://oioi.example.com",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
    "TRUSTED_PROXY_COUNT": "1",
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(60), "VAR_DIR": str(tmp_path)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = manage("check", env={"VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize("url", ["/admin/login/"])
def test_people_facing_pages_carry_a_content_security_policy(client, db, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_answers_carry_no_page_policy(client, cpo):
    response = cpo.post(client, "api-minimum-version-number", {})
    assert "Content-Security-Policy" not in response


def test_https_redirect_spares_the_health_check(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    redirect = client.get("/admin/login/")
    assert redirect.status_code == 301 and redirect["Location"].startswith("https://")
    # Behind the TLS proxy, which says so in X-Forwarded-Proto.
    assert client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_keys_never_reach_the_logs(client, cpo, caplog):
    secret = cpo.key.partition(".")[2]
    with caplog.at_level(logging.DEBUG):
        cpo.post(client, "api-minimum-version-number", {})
        oioi_post(client, cpo.key[:-1] + "x", "api-minimum-version-number", {})
        oioi_post(client, cpo.key, "no-such-call", {})
    assert caplog.records
    assert all(secret not in record.getMessage() for record in caplog.records)
