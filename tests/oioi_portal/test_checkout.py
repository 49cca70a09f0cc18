"""
A development checkout runs the README's commands as printed (``var/dev.env``, written by
``make run``), production stays strict, and pages work with DEBUG off before any collectstatic.
"""

import re
import subprocess

import pytest

from oioi_portal import settings as production_settings
from tests.mixins import PORTAL_PASSWORD, portal_partner, portal_user
from tests.oioi_portal.test_security import ROOT, manage


def make_dev_env(var_dir):
    """The development environment file, written by the Makefile's own rule."""
    # make from PATH, as a developer runs it.
    command = ["make", "--no-print-directory", f"{var_dir}/dev.env", f"VAR_DIR={var_dir}"]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=60)  # noqa: S603
    return var_dir / "dev.env"


@pytest.mark.slow
def test_manage_py_reads_the_development_env_file(tmp_path):
    assert "DEBUG=1" in make_dev_env(tmp_path).read_text().splitlines()

    result = manage("check", env={"VAR_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    # DEBUG on: the development secret was generated beside the file.
    assert (tmp_path / "dev-secret-key").is_file()


@pytest.mark.slow
def test_an_environment_that_sets_debug_ignores_the_env_file(tmp_path):
    make_dev_env(tmp_path)

    result = manage("check", env={"VAR_DIR": str(tmp_path), "DEBUG": "0"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.slow
def test_an_environment_with_a_secret_key_ignores_the_env_file(tmp_path):
    make_dev_env(tmp_path)

    result = manage(
        "shell", "-v", "0", "-c", "from django.conf import settings; print(settings.DEBUG)",
        env={"VAR_DIR": str(tmp_path), "SECRET_KEY": "a-production-secret-of-enough-length"},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.slow
def test_the_wsgi_application_never_reads_the_env_file(tmp_path):
    """A server started without SECRET_KEY refuses, even where a development file lies around."""
    make_dev_env(tmp_path)

    result = manage_python("import oioi_portal.wsgi", var_dir=tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def manage_python(code, *, var_dir):
    return subprocess.run(  # noqa: S603
        [str(ROOT / ".venv/bin/python"), "-c", code],
        cwd=ROOT,
        env={"VAR_DIR": str(var_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- static files with DEBUG off and no collectstatic -----------------------------------------

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@pytest.fixture
def uncollected(settings, tmp_path):
    """Production's static files settings, an empty STATIC_ROOT, DEBUG off."""
    settings.DEBUG = False
    settings.STORAGES = production_settings.STORAGES
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = production_settings.WHITENOISE_USE_FINDERS
    settings.WHITENOISE_AUTOREFRESH = False
    return settings


def assert_page_and_assets_served(client, url):
    page = client.get(url)
    assert page.status_code == 200, url
    assets = ASSET.findall(page.content.decode())
    assert any(asset.endswith(".css") for asset in assets), url
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content), asset


def test_pages_and_their_static_files_are_served_before_collectstatic(client, db, uncollected):
    assert not uncollected.STATIC_ROOT.exists()
    assert_page_and_assets_served(client, "/admin/login/")
    assert_page_and_assets_served(client, "/accounts/login/")

    portal_user(portal_partner("Static CPO", {"cpo"}), "static-user")
    assert client.login(username="static-user", password=PORTAL_PASSWORD)
    assert_page_and_assets_served(client, "/portal/")
