"""The shared OIOI payload fields: identifiers, timestamps and numbers as partners send them."""

from datetime import UTC, datetime

import pytest
from rest_framework import serializers

from oioi.serializers import (
    EvcoIdField,
    EvseIdField,
    FiniteFloatField,
    OIOISerializer,
    OperatorIdField,
    TimestampField,
    UidField,
)


class Sample(OIOISerializer):
    connector_id = EvseIdField(required=False)
    evco_id = EvcoIdField(required=False)
    cpo_id = OperatorIdField(required=False)
    rfid = UidField(required=False)
    start = TimestampField(required=False)
    speed = FiniteFloatField(required=False)


def validated(**data):
    serializer = Sample(data=data)
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def errors(**data):
    serializer = Sample(data=data)
    assert not serializer.is_valid()
    return serializer.errors


def test_hyphenated_names_map_to_python_names():
    assert validated(**{"connector-id": "DE*8PS*E123"}) == {"connector_id": "DE*8PS*E123"}
    assert "connector-id" in errors(**{"connector-id": "nonsense"})


@pytest.mark.parametrize("value", ["DE*8PS*E123456", "de8pse123456", "DE*8PS*E1*2"])
def test_evse_ids_kept_as_sent(value):
    assert validated(**{"connector-id": value})["connector_id"] == value


@pytest.mark.parametrize("value", ["DE*8PS", "D*8PS*E1", "DE*8PS*X1", "", 12])
def test_bad_evse_ids(value):
    assert "connector-id" in errors(**{"connector-id": value})


@pytest.mark.parametrize(
    "value", ["DE*8PS*123456*7", "DE-8PS-123456-7", "de8ps1234567", "DE*8PS*C12345678*9"]
)
def test_evco_ids(value):
    assert validated(**{"evco-id": value})["evco_id"] == value


@pytest.mark.parametrize("value", ["DE*8PS*12345*7", "DE*8PS*123456*Y", "DE8PS"])
def test_bad_evco_ids(value):
    assert "evco-id" in errors(**{"evco-id": value})


@pytest.mark.parametrize(("value", "stored"), [("0a1b2c3d", "0A1B2C3D"), ("A" * 14, "A" * 14)])
def test_uids_are_upper_cased(value, stored):
    assert validated(rfid=value)["rfid"] == stored


@pytest.mark.parametrize("value", ["0A1B2C3", "0A1B2C3D4E", "0A1B2C3G", "A" * 21])
def test_bad_uids(value):
    assert "rfid" in errors(rfid=value)


def test_operator_id_without_star():
    assert validated(**{"cpo-id": "DE8PS"})["cpo_id"] == "DE8PS"


@pytest.mark.parametrize(
    "value", ["2010-01-01T11:00:00+00:00", "2010-01-01T11:00:00Z", "2010-01-01T12:00:00+01:00"]
)
def test_timestamps_with_offset(value):
    assert validated(start=value)["start"] == datetime(2010, 1, 1, 11, tzinfo=UTC)


@pytest.mark.parametrize("value", ["2010-01-01T11:00:00", "yesterday", 1262343600])
def test_timestamps_without_offset_are_refused(value):
    assert "start" in errors(start=value)


@pytest.mark.parametrize(("value", "number"), [(22, 22.0), ("22", 22.0), ("3.7", 3.7), (0, 0.0)])
def test_numbers_as_numbers_or_strings(value, number):
    assert validated(speed=value)["speed"] == number


@pytest.mark.parametrize("value", ["NaN", "inf", "fast", True, None])
def test_bad_numbers(value):
    assert "speed" in errors(speed=value)


def test_timestamp_is_answered_with_an_offset():
    field = TimestampField()
    assert field.to_representation(datetime(2010, 1, 1, 11, tzinfo=UTC)).endswith("+00:00")


def test_unknown_members_are_ignored():
    assert validated(**{"future-field": {"x": 1}}) == {}
    assert isinstance(Sample().fields["connector-id"], serializers.CharField)
