"""
Downloads of portal tables, of exactly the filtered rows, in two formats:

- ``csv``: comma-separated UTF-8, streamed as the database yields the rows; times in UTC
  RFC 3339, decimals exact, durations in seconds (``cell``), for programs.
- ``xlsx``: an Excel workbook whose cells are typed: times are dates (in the portal's time
  zone, named in the header), numbers are numbers, durations seconds. XlsxWriter in
  constant-memory mode writes each row to disk as it comes, so memory stays flat for a million
  rows; the workbook is built in a temporary file (a zip needs a seekable target) and then
  streamed from it.
"""

import csv
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Header names of time columns get this suffix in the workbook, whose cells carry no zone.
LOCAL_TIME_SUFFIX = " ({zone})"
# Rows of data a sheet holds: Excel's 1,048,576 rows, one of them the header.
SHEET_MAX_ROWS = 1_048_575


class _Echo:
    """A file-like object whose write returns what it was given, for csv.writer."""

    def write(self, value):
        return value


def streamed_csv(filename, header, rows):
    """A streamed CSV download: ``rows`` of Python values, written as ``cell``."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename, header, rows, *, time_columns=(), rows_per_sheet=SHEET_MAX_ROWS):
    """
    An .xlsx download of ``rows`` (Python values: datetimes, dates, numbers, text, None).
    ``time_columns`` names the header cells holding times, which get the time zone appended.
    Rows beyond what one sheet holds continue on further sheets, each with the header.
    """
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    styles = {
        datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        date: workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    zone = timezone.get_current_timezone()
    suffix = LOCAL_TIME_SUFFIX.format(zone=zone.key)
    header = [f"{name}{suffix}" if name in time_columns else name for name in header]
    sheets = []

    def new_sheet():
        name = filename if not sheets else f"{filename} ({len(sheets) + 1})"
        sheet = workbook.add_worksheet(name[:31])
        for column, title in enumerate(header):
            sheet.write_string(0, column, title, bold)
        sheet.freeze_panes(1, 0)
        sheets.append(sheet)
        return sheet

    sheet, number = new_sheet(), 0
    for row in rows:
        if number == rows_per_sheet:
            sheet, number = new_sheet(), 0
        number += 1
        for column, value in enumerate(row):
            _write(sheet, number, column, value, styles, zone)
    workbook.close()
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
    )


def _write(sheet, row, column, value, styles, zone):
    # Typed writes only: text is never read as a formula or a number.
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, datetime):
        local = value.astimezone(zone) if timezone.is_aware(value) else value
        sheet.write_datetime(row, column, local.replace(tzinfo=None), styles[datetime])
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, styles[date])
    elif isinstance(value, timedelta):
        sheet.write_number(row, column, round(value.total_seconds()))
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, column, float(value))
    else:
        sheet.write_string(row, column, str(value))


def cell(value):
    """
    One value as CSV text: times in UTC RFC 3339, decimals exact without exponent, durations
    in whole seconds.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


# A cell starting with one of these is a formula to spreadsheet programs; CPOs choose session
# ids and user identifiers, so such text is written with a leading quote (OWASP's advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
