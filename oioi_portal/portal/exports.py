"""
Streamed CSV downloads of portal tables: rows are written as the database yields them, so an
export of a million rows never sits in memory.

Two variants of one table: ``csv`` (comma-separated, for programs) and ``excel``: a byte order
mark, so that Excel reads UTF-8, and semicolons, which Excel expects where the decimal separator
is a comma (German and most of Europe); numbers are then written in the user's language.
"""

import csv
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import formats

CSV = "csv"
EXCEL = "excel"
FORMATS = (CSV, EXCEL)


class _Echo:
    """A file-like object whose write returns what it was given, for csv.writer."""

    def write(self, value):
        return value


def streamed_csv(filename, header, rows, *, excel=False):
    writer = csv.writer(_Echo(), delimiter=";" if excel else ",")

    def lines():
        if excel:
            yield "\ufeff"
        yield writer.writerow(header)
        for row in rows:
            if excel:
                row = [localized_number(value) for value in row]
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stem = filename.removesuffix(".csv")
    name = f"{stem}-excel.csv" if excel else filename
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def localized_number(value):
    """Numbers in the active language's notation (1234.5 -> 1234,5 in German); the rest as is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return formats.number_format(value, use_l10n=True)
