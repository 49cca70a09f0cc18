"""
The OIOI identifiers: one validator and one normalizer for each, shared by every interface
(OIOI calls, REST filters, admin forms, operator commands). See docs/oioi.md, "Identifiers".

Each ``normalize_*`` function validates and returns the form used for lookups and uniqueness;
it raises ``django.core.exceptions.ValidationError`` on a malformed value.
"""

import re

from django.core.exceptions import ValidationError

PARTNER_IDENTIFIER_MIN_LENGTH = 16
PARTNER_IDENTIFIER_MAX_LENGTH = 128

_OPERATOR_ID_RE = re.compile(r"^[A-Z]{2}\*?[A-Z0-9]{3}$")
_EVSE_ID_RE = re.compile(r"^[A-Z]{2}\*?[A-Z0-9]{3}\*?E[A-Z0-9*]{1,30}$")
# Classic EVCO id (6 alphanumerics + check character) and the ISO 15118 eMA id
# (9 alphanumerics, optional check character); separators `*` or `-` optional.
_EVCO_ID_RE = re.compile(
    r"^(?P<country>[A-Z]{2})[*-]?(?P<provider>[A-Z0-9]{3})[*-]?"
    r"(?:(?P<instance>[A-Z0-9]{6})[*-]?(?P<check>[0-9X])"
    r"|(?P<ema>[A-Z0-9]{9})(?:[*-]?(?P<ema_check>[A-Z0-9]))?)$"
)
_UID_RE = re.compile(r"^[0-9A-F]+$")
UID_LENGTHS = (8, 14, 20)


def _require_text(value, what):
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{what} must be a non-empty string.", code="invalid")
    return value.strip()


def normalize_partner_identifier(value):
    """A partner identifier is compared exactly; it must be long enough to be unguessable."""
    value = _require_text(value, "A partner identifier")
    if len(value) < PARTNER_IDENTIFIER_MIN_LENGTH:
        raise ValidationError(
            f"A partner identifier has at least {PARTNER_IDENTIFIER_MIN_LENGTH} characters.",
            code="invalid",
        )
    if len(value) > PARTNER_IDENTIFIER_MAX_LENGTH:
        raise ValidationError(
            f"A partner identifier has at most {PARTNER_IDENTIFIER_MAX_LENGTH} characters.",
            code="invalid",
        )
    if any(ch.isspace() for ch in value):
        raise ValidationError("A partner identifier contains no white space.", code="invalid")
    return value


def normalize_operator_id(value):
    """`DE*8PS` and `de8ps` are the same operator: upper case, without the star."""
    upper = _require_text(value, "An operator id").upper()
    if not _OPERATOR_ID_RE.match(upper):
        raise ValidationError(
            "An operator id is a country code and three letters or digits, e.g. DE*8PS.",
            code="invalid",
        )
    return upper.replace("*", "")


def display_operator_id(value):
    """The conventional written form, with the star: `DE*8PS`."""
    normalized = normalize_operator_id(value)
    return f"{normalized[:2]}*{normalized[2:]}"


def normalize_evse_id(value):
    """`DE*8PS*E123456` and `de8pse123456` are the same EVSE: upper case, every star removed."""
    upper = _require_text(value, "An EVSE id").upper()
    if not _EVSE_ID_RE.match(upper):
        raise ValidationError(
            "An EVSE id looks like DE*8PS*E123456 (country, operator, E, up to 30 characters).",
            code="invalid",
        )
    return upper.replace("*", "")


def evse_operator_id(value):
    """The normalized operator part of an EVSE id (`DE*8PS*E1` → `DE8PS`)."""
    return normalize_evse_id(value)[:5]


def normalize_evco_id(value):
    """`DE*8PS*123456*7` and `de-8ps-123456-7` are the same contract: upper case, no separators."""
    upper = _require_text(value, "An EVCO id").upper()
    if not _EVCO_ID_RE.match(upper):
        raise ValidationError(
            "An EVCO id looks like DE*8PS*123456*7 or DE*8PS*C12345678*9.", code="invalid"
        )
    return upper.replace("*", "").replace("-", "")


def normalize_uid(value):
    """An RFID UID: hexadecimal, 8, 14 or 20 characters, stored in upper case."""
    upper = _require_text(value, "An RFID UID").upper()
    if not _UID_RE.match(upper):
        raise ValidationError("An RFID UID is hexadecimal.", code="invalid")
    if len(upper) not in UID_LENGTHS:
        raise ValidationError("An RFID UID has 8, 14 or 20 hexadecimal characters.", code="invalid")
    return upper
