"""Money and energy in templates, as ``core.formats`` writes them."""

from django import template

from core.formats import energy_format, money_format

register = template.Library()


@register.filter
def kwh(value, unit=True):
    """``{{ cdr.energy_kwh|kwh }}`` → ``44.527 kWh``; ``|kwh:False`` without the unit."""
    return energy_format(value, unit=unit)


@register.filter
def money(amount, currency=""):
    """``{{ cdr.cost_amount|money:cdr.cost_currency }}`` → ``2,542.49 CHF``."""
    return money_format(amount, currency)
