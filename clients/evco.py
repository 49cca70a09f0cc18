"""
The EVCO ids we issue (docs/oioi.md, "EVCO ids we issue"): `<CC>*<PPP>*C<8 digits>*<check>`,
the check character that of ISO 15118-2 Annex H / DIN SPEC 91286 over the 14 characters
(``core.identifiers.evco_check_character``).
"""

import secrets

from django.conf import settings

from clients.models import Contract
from core import identifiers


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
            check = identifiers.evco_check_character(f"{country_code}{party_id}C{digits}")
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
