"""
The EVCO ids we issue (docs/oioi.md, "EVCO ids we issue"): `<CC>*<PPP>*C<8 digits>*<check>`,
the check character that of ISO 15118-2 Annex H / DIN SPEC 91286 over the 14 characters.
"""

import secrets

from django.conf import settings

from clients.models import Contract
from core import identifiers

# Annex H writes each character as a 2x2 matrix (q11, q12 over GF(2); q21, q22 over GF(3)),
# packed here in one number: bit 0 q11, bit 1 q12, bits 2-3 q21, bits 4-5 q22.
_CODES = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (0, 16, 32, 4, 20, 36, 8, 24, 40, 2, 18, 34, 6, 22, 38, 10, 26, 42)
        + (1, 17, 33, 5, 21, 37, 9, 25, 41, 3, 19, 35, 7, 23, 39, 11, 27, 43),
        strict=True,
    )
)
_CHARACTERS = {code: character for character, code in _CODES.items()}
LENGTH = 14


def _times(a, b):
    """The product of 2x2 matrices given as ((a11, a12), (a21, a22))."""
    return tuple(
        tuple(sum(a[row][k] * b[k][col] for k in range(2)) for col in range(2)) for row in range(2)
    )


def _powers(matrix):
    powers = [matrix]
    while len(powers) < LENGTH:
        powers.append(_times(powers[-1], matrix))
    return powers


# P1 over GF(2) and P2 over GF(3), raised to the powers 1..14.
_P1 = _powers(((0, 1), (1, 1)))
_P2 = _powers(((0, 1), (1, 2)))
# -P2^-15 over GF(3): turns the GF(3) sum into the check character's row.
_MINUS_P2_INVERSE_15 = ((0, 2), (2, 1))


def _row_times(row, matrix):
    return tuple(sum(row[k] * matrix[k][col] for k in range(2)) for col in range(2))


def check_character(code):
    """The check character of the 14 characters ``code`` (upper case, no separators)."""
    if len(code) != LENGTH or any(character not in _CODES for character in code):
        raise ValueError(f"A check character is computed over {LENGTH} letters and digits.")
    gf2, gf3 = (0, 0), (0, 0)
    for character, p1, p2 in zip(code, _P1, _P2, strict=True):
        packed = _CODES[character]
        q1 = (packed & 1, (packed >> 1) & 1)
        q2 = ((packed >> 2) & 3, packed >> 4)
        gf2 = tuple(s + t for s, t in zip(gf2, _row_times(q1, p1), strict=True))
        gf3 = tuple(s + t for s, t in zip(gf3, _row_times(q2, p2), strict=True))
    r1, r2 = (value % 2 for value in gf2)
    r3, r4 = (value % 3 for value in _row_times(gf3, _MINUS_P2_INVERSE_15))
    return _CHARACTERS[r1 | r2 << 1 | r3 << 2 | r4 << 4]


def evco_ids_issue(count, country_code=None, party_id=None):
    """
    ``count`` new EVCO ids of party ``country_code*party_id`` (ours by default) that no contract
    holds: 8 random digits each, redrawn until the check character is a digit, so every `\\d|X`
    validator passes. One query, unless a draw collides. Call it in the transaction that
    creates the contracts.
    """
    country_code = (country_code or settings.OCPI_COUNTRY_CODE).upper()
    party_id = (party_id or settings.OCPI_EMSP_PARTY_ID).upper()
    issued = {}
    while len(issued) < count:
        drawn = {}
        while len(issued) + len(drawn) < count:
            digits = f"{secrets.randbelow(10**8):08d}"
            check = check_character(f"{country_code}{party_id}C{digits}")
            if check.isdigit():
                evco_id = f"{country_code}*{party_id}*C{digits}*{check}"
                drawn[identifiers.normalize_evco_id(evco_id)] = evco_id
        drawn = {n: evco_id for n, evco_id in drawn.items() if n not in issued}
        taken = Contract.objects.filter(evco_id_normalized__in=drawn).values_list(
            "evco_id_normalized", flat=True
        )
        for normalized in taken:
            del drawn[normalized]
        issued.update(drawn)
    return list(issued.values())


def evco_id_issue(country_code=None, party_id=None):
    """One new EVCO id, as ``evco_ids_issue``."""
    return evco_ids_issue(1, country_code, party_id)[0]
