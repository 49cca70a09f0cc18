"""Money and energy as the admin and the portal write them, in English and German."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formats import energy_format, money_format


@pytest.mark.parametrize(
    ("kwh", "english", "german"),
    [
        (Decimal("44.527000"), "44.527\xa0kWh", "44,527\xa0kWh"),
        (Decimal("100.000000"), "100\xa0kWh", "100\xa0kWh"),
        (Decimal("12.5000"), "12.5\xa0kWh", "12,5\xa0kWh"),
        (Decimal("13.8456"), "13.846\xa0kWh", "13,846\xa0kWh"),
        (Decimal("93719.258"), "93,719.258\xa0kWh", "93.719,258\xa0kWh"),
        (Decimal("0E-6"), "0\xa0kWh", "0\xa0kWh"),
        (None, "—", "—"),
    ],
)
def test_energy(kwh, english, german):
    with translation.override("en"):
        assert energy_format(kwh) == english
    with translation.override("de"):
        assert energy_format(kwh) == german


@pytest.mark.parametrize(
    ("amount", "currency", "english", "german"),
    [
        (Decimal("2542.49000000000"), "CHF", "2,542.49\xa0CHF", "2.542,49\xa0CHF"),
        (Decimal("7.4"), "EUR", "7.40\xa0EUR", "7,40\xa0EUR"),
        (Decimal("0.005"), "EUR", "0.01\xa0EUR", "0,01\xa0EUR"),
        (Decimal("3"), "", "3.00", "3,00"),
        (None, "EUR", "—", "—"),
    ],
)
def test_money(amount, currency, english, german):
    with translation.override("en"):
        assert money_format(amount, currency) == english
    with translation.override("de"):
        assert money_format(amount, currency) == german


def test_template_filters():
    template = Template("{% load formats %}{{ e|kwh }} | {{ e|kwh:False }} | {{ a|money:c }}")
    context = Context({"e": Decimal("44.527000"), "a": Decimal("21.8200"), "c": "EUR"})
    assert template.render(context) == "44.527\xa0kWh | 44.527 | 21.82\xa0EUR"
