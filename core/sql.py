"""
Plain SQL for the few statements on the OIOI endpoint's hot path, where the ORM's building of a
query (cloning the queryset, resolving lookups and joins, writing the SQL) costs more than the
database's answer. Each statement is written by hand once, from the models' public metadata
(``_meta.db_table``, ``field.column``), with ``%s`` placeholders (SQLite and PostgreSQL alike),
and runs through ``connection.cursor()``: query logging, execute wrappers and health checks
apply as to any ORM query.
"""

from django.conf import settings
from django.db import connection, models
from django.utils import timezone


def quote(name):
    return connection.ops.quote_name(name)


def table(model):
    return quote(model._meta.db_table)


def column(model, name, alias=None):
    """The column of ``model``'s field ``name``, quoted, qualified by the table ``alias``."""
    quoted = quote(model._meta.get_field(name).column)
    return f"{alias}.{quoted}" if alias else quoted


def concrete_fields(model):
    """The fields of ``model`` that are columns of its table, in the table's order."""
    return [
        field for field in model._meta.get_fields() if field.concrete and not field.many_to_many
    ]


class Columns:
    """All of ``model``'s columns as a SELECT lists them, and the instance a row of them makes."""

    def __init__(self, model, alias):
        self.model = model
        fields = concrete_fields(model)
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
        self.count = len(fields)
        # In the order Model.from_db takes a full row in.
        self.attnames = [field.attname for field in fields]
        self.datetimes = [
            position
            for position, field in enumerate(fields)
            if isinstance(field, models.DateTimeField)
        ]

    def instance(self, values):
        """The instance of ``values`` (a row's slice of these columns), as the ORM makes it."""
        values = list(values)
        if settings.USE_TZ:
            # SQLite gives naive times in the connection's time zone; the ORM makes them aware.
            for position in self.datetimes:
                value = values[position]
                if value is not None and timezone.is_naive(value):
                    values[position] = timezone.make_aware(value, connection.timezone)
        return self.model.from_db(connection.alias, self.attnames, values)
