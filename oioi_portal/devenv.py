"""
The development environment file that ``make run`` writes (``var/dev.env``, git-ignored), read by
``manage.py`` so that the README's commands work in a development checkout as printed.

Read only when the environment says nothing about ``DEBUG`` or ``SECRET_KEY``: an environment
that sets either decides alone, and a production machine (no such file) stays strict.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FILE_NAME = "dev.env"


def development_env_path():
    return Path(os.environ.get("VAR_DIR", BASE_DIR / "var")) / FILE_NAME


def development_env_load():
    """Set the file's ``NAME=value`` lines that the environment does not set already."""
    if "DEBUG" in os.environ or "SECRET_KEY" in os.environ:
        return
    path = development_env_path()
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        name, separator, value = line.strip().partition("=")
        if separator and not name.startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())
