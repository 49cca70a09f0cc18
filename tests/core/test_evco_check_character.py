"""The check character of EVCO (eMA) ids, ISO 15118-2 Annex H (core.identifiers)."""

import pytest

from core.identifiers import evco_check_character


def test_check_character_of_iso_15118_annex_h():
    # Published examples of the ISO 15118-2 Annex H check character.
    codes = ["NN123ABCDEFGHI", "FRXYZ123456789", "ITA1B2C3E4F5G6", "ESZU8WOX834H1D"]
    codes += ["PT73902837ABCZ", "DE83DUIEN83QGZ", "DE83DUIEN83ZGQ", "DE8AA001234567"]
    assert "".join(evco_check_character(code) for code in codes) == "T24RZDM0"


@pytest.mark.parametrize(
    ("code", "check"),
    [
        ("NN123ABCDEFGHI", "T"),
        ("FRXYZ123456789", "2"),
        ("ITA1B2C3E4F5G6", "4"),
        ("ESZU8WOX834H1D", "R"),
        ("PT73902837ABCZ", "Z"),
        ("DE83DUIEN83QGZ", "D"),
        ("DE83DUIEN83ZGQ", "M"),
        ("DE8AA001234567", "0"),
        ("NLTNM000122045", "U"),
    ],
)
def test_check_character_of_known_ema_ids(code, check):
    assert evco_check_character(code) == check
    assert evco_check_character(code.lower()) == check


def test_check_character_refuses_what_is_no_ema_id():
    for code in ("", "DE8AA00123456", "DE8AA0012345678", "DE*AA001234567", "DE8AA00123456Ä"):
        with pytest.raises(ValueError):
            evco_check_character(code)
