"""Test settings: the production settings, with a throwaway secret and fast password hashing."""

import os
import secrets
import tempfile

# Generated per run: no secret lives in the repository.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from oioi_portal.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Templates render {% static %} without a collectstatic manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files from the apps' folders, as runserver does, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A file, not SQLite's shared-cache memory database: concurrent tests (several threads writing
# at once, as gunicorn workers do) need real locking with a busy timeout.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"oioi-test-{os.getpid()}.sqlite3")
    }
