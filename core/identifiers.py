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


# The 36 characters of a contract id, by value: digits, then letters.
_EMA_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def evco_check_character(code):
    """
    The check character of ISO 15118-2 Annex H (DIN SPEC 91286) over the 14 characters of an
    eMA id without separators (`DE8PSC12345678`). Each character's value v is read as a 2x2
    matrix of two bits (v // 18, v // 9 % 2) and two trits (v // 3 % 3, v % 3); the bits are
    weighted by the powers of P1 = [[0, 1], [1, 1]] mod 2, the trits by those of
    P2 = [[0, 1], [1, 2]] mod 3, and the sums read back as a character the same way.
    """
    code = code.upper()
    if len(code) != 14 or any(char not in _EMA_ALPHABET for char in code):
        raise ValueError("An eMA id without its check character has 14 letters or digits.")

    def times(vector, matrix, modulus):
        (a, b), ((m11, m12), (m21, m22)) = vector, matrix
        return ((a * m11 + b * m21) % modulus, (a * m12 + b * m22) % modulus)

    def power_rows(matrix, modulus):
        # The rows of matrix^1 .. matrix^14, applied to a row vector by ``times``.
        powers, current = [], matrix
        for _ in range(14):
            powers.append(current)
            current = tuple(
                tuple(
                    sum(current[i][k] * matrix[k][j] for k in range(2)) % modulus for j in range(2)
                )
                for i in range(2)
            )
        return powers

    bits, trits = (0, 0), (0, 0)
    for char, p1, p2 in zip(
        code, power_rows(((0, 1), (1, 1)), 2), power_rows(((0, 1), (1, 2)), 3), strict=True
    ):
        value = _EMA_ALPHABET.index(char)
        bit_row = times((value // 18, value // 9 % 2), p1, 2)
        trit_row = times((value // 3 % 3, value % 3), p2, 3)
        bits = ((bits[0] + bit_row[0]) % 2, (bits[1] + bit_row[1]) % 2)
        trits = ((trits[0] + trit_row[0]) % 3, (trits[1] + trit_row[1]) % 3)
    # The trits' sum is multiplied by -P2^-15 (mod 3) to read as the check character's.
    trits = times(trits, ((0, 2), (2, 1)), 3)
    return _EMA_ALPHABET[bits[0] * 18 + bits[1] * 9 + trits[0] * 3 + trits[1]]
