"""
CDRs at size: session-post throughput (distinct final CDRs, matched to a connector and a key,
half of them forwarded), and the REST CSV export of 100,000 and of 1,000,000 CDRs: wall time,
and the serving worker's memory, which must not grow with the number of rows streamed.
"""

import http.client
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from bench.load import drive, oioi_request

EXPORT_ROWS = 1_000_000
SMALL_EXPORT_ROWS = 100_000
POSTS = 40_000
KEYS = 1_000
CONNECTORS = 100
BATCH = 5_000
START = datetime(2025, 1, 1, tzinfo=UTC)


def build(ctx):
    from django.db import connection

    from cdrs.models import CDR, CDRDailyTotal
    from cdrs.services import cdr_daily_totals_rebuild
    from clients import services as client_services
    from partners import services
    from stations.models import Company, Connector, Station

    cpo = services.partner_create(
        name="Bench CDR CPO",
        roles=["cpo"],
        operator_ids=["DE*BCD"],
        partner_identifiers=["bench-cdrs-cpo-identifier"],
    )
    emp = services.partner_create(
        name="Bench CDR EMP",
        roles=["emp"],
        partner_identifiers=["bench-cdrs-emp-identifier"],
        endpoint_url="http://127.0.0.1:9/unused",
    )
    ctx.data["cdrs_key"] = services.api_key_issue(cpo, label="bench").plaintext
    operator = cpo.operator_ids.get()
    company = Company.objects.create(name="Bench CDR operator", operator=operator)
    stations = Station.objects.bulk_create(
        Station(
            external_id=f"bench-cdr-{n}",
            owner=cpo,
            operator=operator,
            operator_company=company,
            name=f"Bench {n}",
            latitude=52.5,
            longitude=13.4,
            country="DE",
        )
        for n in range(CONNECTORS)
    )
    Connector.objects.bulk_create(
        Connector(
            station=station,
            evse_id=f"DE*BCD*E{n:04d}",
            evse_id_normalized=f"DEBCDE{n:04d}",
            type="Type2",
            speed=22,
        )
        for n, station in enumerate(stations)
    )
    for n in range(KEYS):
        client_services.charging_key_create(
            uid=f"{0xB0000000 + n:08X}",
            evco_id=f"DE*BCD*{n:06d}*{n % 10}",
            provider=emp if n % 2 else None,
        )
    identifier = cpo.identifiers.get()
    started = time.monotonic()
    for first in range(0, SMALL_EXPORT_ROWS, BATCH):
        CDR.objects.bulk_create(
            _export_cdr(cpo, identifier, n) for n in range(first, first + BATCH)
        )
    # The rest are copies made by the database, each later in time: building a million model
    # instances in Python would take most of the run.
    for copy in range(1, EXPORT_ROWS // SMALL_EXPORT_ROWS):
        _copy_cdrs(copy, minutes=copy * SMALL_EXPORT_ROWS)
    ctx.report(
        "cdrs.build_1m",
        round(time.monotonic() - started, 1),
        "s",
        rows=CDR.objects.count(),
        method=f"bulk_create of {SMALL_EXPORT_ROWS} in batches of {BATCH}, then INSERT ... SELECT",
    )
    # Loaded around session-post, as an import would be: the report's daily totals are rebuilt.
    started = time.monotonic()
    cdr_daily_totals_rebuild()
    ctx.report(
        "cdrs.daily_totals_rebuild_1m",
        round(time.monotonic() - started, 1),
        "s",
        rows=CDRDailyTotal.objects.count(),
    )
    # Statistics, as autovacuum (or SQLite's optimizer) has them by the time anyone reads a
    # table this size: without them PostgreSQL plans the report's first page as a sort of every
    # row (4 s instead of 0.1 s), whether the benchmark measured before or after autoanalyze ran.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# Later in time by %s minutes, in each database's own date arithmetic.
SHIFTS = {
    "postgresql": "{} + make_interval(mins => %s)",
    "sqlite": "datetime({}, '+' || %s || ' minutes')",
}
SHIFTED = ("session_start", "session_stop", "charging_start", "charging_stop", "final_at")


def _copy_cdrs(copy, minutes):
    """Copy the first SMALL_EXPORT_ROWS CDRs as new sessions ``minutes`` later."""
    from django.db import connection

    from cdrs.models import CDR

    columns, expressions, params = [], [], []
    for field in CDR._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in SHIFTED:
            expressions.append(SHIFTS[connection.vendor].format(field.column))
            params.append(minutes)
        elif field.column == "session_id":
            expressions.append("%s || session_id")
            params.append(f"copy{copy}-")
        else:
            expressions.append(field.column)
    table = CDR._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (our own names)
            f"SELECT {', '.join(expressions)} FROM {table} WHERE session_id LIKE %s",
            [*params, "export-%"],
        )


def _export_cdr(cpo, identifier, n):
    from cdrs.models import CDR

    start = START + timedelta(minutes=n)
    return CDR(
        cpo=cpo,
        partner_identifier=identifier,
        session_id=f"export-{n:07d}",
        evse_id=f"DE*BCD*E{n % CONNECTORS:04d}",
        evse_id_normalized=f"DEBCDE{n % CONNECTORS:04d}",
        user_identifier_type="rfid",
        user_identifier=f"{0xB0000000 + n % KEYS:08X}",
        user_identifier_normalized=f"{0xB0000000 + n % KEYS:08X}",
        session_start=start,
        session_stop=start + timedelta(minutes=45),
        charging_start=start + timedelta(minutes=1),
        charging_stop=start + timedelta(minutes=44),
        energy_kwh=Decimal(n % 50_000) / 1000,
        cost_amount=Decimal(n % 20_000) / 100,
        cost_currency="EUR",
        state=CDR.State.FINAL,
        final_at=start + timedelta(minutes=45),
    )


def _post_payload(n):
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n)
    return {
        "user": {"identifier-type": "rfid", "identifier": f"{0xB0000000 + n % KEYS:08x}"},
        "session-id": f"post-{n:06d}",
        "connector-id": f"DE*BCD*E{n % CONNECTORS:04d}",
        "session-interval": {
            "start": start.isoformat(),
            "stop": (start + timedelta(minutes=30)).isoformat(),
        },
        "energy-consumed": round(7 + n % 1000 / 100, 3),
        "calculated-cost": {"amount": f"{3 + n % 500 / 100:.2f}", "currency": "EUR"},
        "partner-identifier": "bench-cdrs-cpo-identifier",
    }


def measure(ctx):
    requests = [
        oioi_request(ctx.data["cdrs_key"], "session-post", _post_payload(n)) for n in range(POSTS)
    ]
    result = drive(ctx.host, ctx.port, requests, duration=ctx.duration)
    ctx.report_throughput("session-post", result, cdrs_in_table=EXPORT_ROWS)
    # The first SMALL_EXPORT_ROWS CDRs by session start, then all of them, from the same table.
    until = (START + timedelta(minutes=SMALL_EXPORT_ROWS)).isoformat()
    for name, query, rows in (
        ("100k", f"&{urlencode({'until': until})}", SMALL_EXPORT_ROWS),
        ("1m", "", EXPORT_ROWS),
    ):
        export(ctx, name, query, rows)


def download(ctx, path, headers, timeout=900):
    """
    GET ``path`` and stream the answer, counting what arrives; measure the workers' memory
    around it. Returns the timings, sizes and the serving worker's peak RSS growth (KiB).
    """
    workers = _workers(ctx.port)
    before = {pid: _reset_peak(pid) for pid in workers}
    started = time.monotonic()
    connection = http.client.HTTPConnection(ctx.host, ctx.port, timeout=timeout)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    first_byte = time.monotonic() - started
    size = lines = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.monotonic() - started
    connection.close()
    peaks = {pid: _status_kib(pid, "VmHWM") for pid in workers}
    return {
        "seconds": seconds,
        "first_byte": first_byte,
        "size": size,
        "rows": lines - 1,
        "status": response.status,
        # The worker that served it is the one whose peak rose most above where it was.
        "growth_kib": max(peaks[pid] - before[pid] for pid in workers),
        "peak_kib": max(peaks.values()),
    }


def export(ctx, name, query, expected_rows):
    """Stream one CSV export of the REST API and report it."""
    got = download(
        ctx,
        f"/api/v1/cdrs/?format=csv{query}",
        {"Authorization": f"key={ctx.data['cdrs_key']}"},
        timeout=600,
    )
    ctx.report(
        f"rest.cdrs_csv_export_{name}.seconds",
        round(got["seconds"], 2),
        "s",
        rows=got["rows"],
        expected_rows=expected_rows,
        http_status=got["status"],
        mib=round(got["size"] / 2**20, 1),
        first_byte_ms=round(got["first_byte"] * 1000),
        rows_per_s=round(got["rows"] / got["seconds"]),
    )
    ctx.report(
        f"rest.cdrs_csv_export_{name}.worker_rss_growth",
        round(got["growth_kib"] / 1024, 1),
        "MiB",
        worker_peak_rss_mib=round(got["peak_kib"] / 1024, 1),
    )


def _workers(port):
    """The gunicorn workers serving ``port``: processes bound there whose parent is too."""
    marker = f"GUNICORN_BIND=127.0.0.1:{port}".encode()
    bound = {}
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                pid = int(environ.parent.name)
                bound[pid] = _status(pid).get("PPid", "").strip()
        except OSError:
            continue
    return [pid for pid, parent in bound.items() if parent.isdigit() and int(parent) in bound]


def _status(pid):
    text = Path(f"/proc/{pid}/status").read_text()
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _status_kib(pid, field):
    return int(_status(pid)[field].split()[0])


def _reset_peak(pid):
    """Reset the process's peak RSS to its current RSS (Linux clear_refs 5); return that."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return _status_kib(pid, "VmRSS")
