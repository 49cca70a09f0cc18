"""
CDRs as CSV: the columns, and a streamed response whose memory stays flat whatever the number
of rows (rows are read from the database in chunks and written out in batches). The REST API's
`?format=csv` and the partner portal's export both use it.
"""

import csv
import io
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from core.exports import cell
from core.streaming import stream_rows

# Rows read from the database per round trip, and rows written out per chunk of the response.
READ_CHUNK_ROWS = 2000
WRITE_CHUNK_ROWS = 500
CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Column:
    header: str
    path: str  # a values_list() path on CDR


COLUMNS = (
    Column("id", "id"),
    Column("state", "state"),
    Column("cpo", "cpo__name"),
    Column("session_id", "session_id"),
    Column("evse_id", "evse_id"),
    Column("station_id", "station_id"),
    Column("user_identifier_type", "user_identifier_type"),
    # As the viewer may see them: the querysets come through ``cdrs.selectors.cdr_customer_shown``.
    Column("user_identifier", "customer_shown"),
    Column("evco_id", "evco_id_shown"),
    Column("recipient", "recipient__name"),
    Column("session_start", "session_start"),
    Column("session_stop", "session_stop"),
    Column("charging_start", "charging_start"),
    Column("charging_stop", "charging_stop"),
    Column("energy_kwh", "energy_kwh"),
    Column("cost_amount", "cost_amount"),
    Column("cost_currency", "cost_currency"),
    Column("created_at", "created_at"),
    Column("updated_at", "updated_at"),
)


def _rows(querysets, columns):
    for queryset in querysets:
        rows = queryset.values_list(*(column.path for column in columns))
        yield from stream_rows(rows, chunk_size=READ_CHUNK_ROWS)


def csv_chunks(queryset, columns=COLUMNS):
    """
    The CSV text of ``queryset`` (or of several, one after the other) in chunks of
    ``WRITE_CHUNK_ROWS`` rows, header first.
    """
    querysets = [queryset] if isinstance(queryset, QuerySet) else queryset
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in columns])
    for number, row in enumerate(_rows(querysets, columns), start=1):
        writer.writerow([cell(value) for value in row])
        if number % WRITE_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(queryset, filename="cdrs.csv", columns=COLUMNS):
    """A streamed CSV download of ``queryset`` or querysets (scoped, filtered and ordered)."""
    return StreamingHttpResponse(
        (chunk.encode() for chunk in csv_chunks(queryset, columns)),
        content_type=CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
