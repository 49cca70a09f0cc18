"""
What the operator commands share (README, operator commands): a bad input ends a command with a
non-zero exit status and a one-line reason on standard error.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import CommandParser

# The name of the variable (as createsuperuser reads DJANGO_SUPERUSER_PASSWORD), not a password.
PORTAL_USER_PASSWORD_ENV = "PORTAL_USER_PASSWORD"  # noqa: S105

# Model fields named as the operator typed them, so a message points at the right argument.
OPTION_NAMES = {
    "name": "NAME",
    "endpoint_url": "--endpoint",
    "endpoint_key": "--endpoint-key",
    "label": "--label",
    "expires_at": "--expires",
    "username": "USERNAME",
    "email": "--email",
}


def one_line(error):
    """
    Return the messages of a ValidationError on one line, each field's message prefixed
    with the option it came from.
    """
    if hasattr(error, "error_dict"):
        parts = [
            message if field == NON_FIELD_ERRORS else f"{OPTION_NAMES.get(field, field)}: {message}"
            for field, errors in error.error_dict.items()
            for message in ValidationError(errors).messages
        ]
    else:
        parts = error.messages
    return " ".join(" ".join(str(part).split()) for part in parts)


class OneLineErrorParser(CommandParser):
    """Reports a usage error on one line (without the usage text), like every other error."""

    def error(self, message):
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message} (see --help)\n")
        super().error(message)
