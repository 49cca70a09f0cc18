#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oioi_portal.settings")
    # A development checkout's var/dev.env (written by `make run`): DEBUG on unless the
    # environment says otherwise.
    from oioi_portal.devenv import development_env_load

    development_env_load()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
