"""The EVCO ids we issue (clients.evco)."""

import pytest

from clients import evco
from clients.evco import evco_ids_issue
from core import identifiers
from core.identifiers import evco_check_character


@pytest.mark.django_db
def test_issued_evco_ids_are_new_and_valid():
    issued = evco_ids_issue(50, "NL", "abc")
    assert len(set(issued)) == 50
    for evco_id in issued:
        country, party, instance, check = evco_id.split("*")
        assert (country, party, instance[0], len(instance)) == ("NL", "ABC", "C", 9)
        assert check.isdigit()
        assert check == evco_check_character(f"{country}{party}{instance}")
        identifiers.normalize_evco_id(evco_id)


def test_issued_evco_ids_use_our_party(db, settings):
    settings.OCPI_COUNTRY_CODE, settings.OCPI_EMSP_PARTY_ID = "nl", "abc"
    evco_id = evco.evco_id_issue()
    country, party, instance, check = evco_id.split("*")
    assert (country, party) == ("NL", "ABC")
    assert instance[0] == "C" and instance[1:].isdigit() and len(instance) == 9
    assert check.isdigit() and evco_check_character(f"NLABC{instance}") == check
