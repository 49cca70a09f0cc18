"""
How money and energy read, in the admin and the portal alike: stored with up to 15 decimals,
shown as people write them, in the active language's number format.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

EMPTY = "—"
MILLI, CENT = Decimal("0.001"), Decimal("0.01")
# Between a number and its unit: the two never end up on different lines.
NBSP = "\u00a0"


def energy_format(kwh, unit=True):
    """kWh to at most 3 decimals, trailing zeros dropped: ``44.527 kWh``, ``20 kWh``."""
    if kwh is None:
        return EMPTY
    # normalize() drops the zeros; number_format writes the exponent it may leave as digits.
    number = number_format(
        Decimal(kwh).quantize(MILLI, ROUND_HALF_UP).normalize(), use_l10n=True, force_grouping=True
    )
    return f"{number}{NBSP}kWh" if unit else number


def money_format(amount, currency=""):
    """An amount to 2 decimals with its currency: ``2,542.49 CHF``."""
    if amount is None:
        return EMPTY
    # Rounded here: number_format cuts the digits it does not show.
    rounded = Decimal(amount).quantize(CENT, ROUND_HALF_UP)
    number = number_format(rounded, 2, use_l10n=True, force_grouping=True)
    return f"{number}{NBSP}{currency}" if currency else number
