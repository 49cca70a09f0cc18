"""
Stations: station-get-surface latency for one city-sized box at 10,000 and at 100,000 stations
in the network, and connector-post-status throughput.

The box (central Berlin) holds the same 1,000 stations at both sizes: the 90,000 more stations
of the large network go everywhere else in Germany, the box's latitude band included. So both
latencies answer the same question (same box, same answer: the 500-station cap bites and the grid
sample runs) over a network ten times larger, and their ratio shows what the network's size costs.

The machines are shared and their load drifts, so the sizes alternate (10k, 100k, 10k again with
the 90,000 deleted, 100k again) and each latency is also taken as a multiple of the baseline
view's, measured in the same moments; the ratio compares the medians of those multiples.
"""

import random
import statistics
import threading
import time

from bench.load import Request, drive, oioi_request

BOX = {"min-lat": 52.40, "max-lat": 52.62, "min-long": 13.20, "max-long": 13.60}
GERMANY = {"min-lat": 47.3, "max-lat": 55.0, "min-long": 5.9, "max-long": 15.0}
IN_BOX = 1_000
FIRST_NETWORK = 10_000
FULL_NETWORK = 100_000
PLUGS = (("Type2", 22.0), ("Combo", 150.0), ("Type2", 11.0))
BATCH = 5_000
SURFACE_ROUNDS = 5
# More than gunicorn's workers × threads on these machines, so that every thread serves some.
WARM_UP_CONNECTIONS = 32
# connector-post-status: each load thread walks its own EVSE ids, so every request is a change.
STATUS_THREADS = 8
EVSES_PER_THREAD = 500


def _positions(rng, count, inside):
    """``count`` random positions inside the box (``inside``) or in Germany outside it."""
    area = BOX if inside else GERMANY
    positions = []
    while len(positions) < count:
        lat = rng.uniform(area["min-lat"], area["max-lat"])
        long = rng.uniform(area["min-long"], area["max-long"])
        in_box = (
            BOX["min-lat"] <= lat <= BOX["max-lat"] and BOX["min-long"] <= long <= BOX["max-long"]
        )
        if in_box == inside:
            positions.append((lat, long))
    return positions


def _bulk_stations(ctx, positions):
    """Stations and their connectors in batches of plain bulk inserts: no services, no signals."""
    from django.db import transaction
    from django.utils import timezone

    from stations.models import Connector, Station

    first = ctx.data["stations_built"]
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(positions), BATCH):
            stations = Station.objects.bulk_create(
                Station(
                    external_id=f"BENCH-{first + start + n}",
                    owner_id=ctx.data["stations_partner_id"],
                    operator_id=ctx.data["stations_operator_id"],
                    operator_company_id=ctx.data["stations_company_id"],
                    name=f"Bench station {first + start + n}",
                    latitude=lat,
                    longitude=long,
                    city="Berlin",
                    country="DE",
                    last_static_change=now,
                )
                for n, (lat, long) in enumerate(positions[start : start + BATCH])
            )
            Connector.objects.bulk_create(
                Connector(
                    station_id=station.pk,
                    evse_id=f"DE*BEN*E{station.pk}X{plug}",
                    evse_id_normalized=f"DEBENE{station.pk}X{plug}",
                    type=kind,
                    speed=speed,
                )
                for station in stations
                for plug, (kind, speed) in enumerate(PLUGS)
            )
    _maintain()
    ctx.data["stations_built"] = first + len(positions)


def _figure_name(ctx, name):
    """``name``, or ``name.again`` for the second measurement at the same size."""
    return f"{name}.again" if any(f["name"] == name for f in ctx.figures) else name


def _report_build(ctx, what, started):
    network = ctx.data["stations_built"]
    ctx.report(
        _figure_name(ctx, f"stations.{what}.{network // 1000}k"),
        round(time.monotonic() - started, 1),
        "s",
        stations=network,
        connectors=network * len(PLUGS),
    )


def _maintain():
    """
    The state a production database is in after its maintenance: planner statistics, and on
    PostgreSQL a visibility map (index-only scans), on SQLite the write-ahead log folded back.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def build_first(ctx):
    from partners import services
    from stations.models import Company, Station

    cpo = services.partner_create(
        name="Bench Stations CPO",
        roles=["cpo"],
        operator_ids=["DE*BEN"],
        partner_identifiers=["bench-stations-cpo-identifier"],
    )
    emp = services.partner_create(name="Bench Stations EMP", roles=["emp"])
    operator = cpo.operator_ids.get()
    ctx.data.update(
        stations_partner_id=cpo.pk,
        stations_operator_id=operator.pk,
        stations_company_id=Company.objects.create(name="Bench operator", operator=operator).pk,
        stations_cpo_key=services.api_key_issue(cpo, label="bench").plaintext,
        stations_emp_key=services.api_key_issue(emp, label="bench").plaintext,
        stations_built=0,
        stations_rng=random.Random(3),  # noqa: S311 (positions, not secrets)
    )
    rng = ctx.data["stations_rng"]
    started = time.monotonic()
    _bulk_stations(
        ctx,
        _positions(rng, IN_BOX, inside=True)
        + _positions(rng, FIRST_NETWORK - IN_BOX, inside=False),
    )
    _report_build(ctx, "build", started)
    ctx.data["stations_first_last_id"] = Station.objects.latest("pk").pk


def build_full(ctx):
    started = time.monotonic()
    rng = ctx.data["stations_rng"]
    _bulk_stations(ctx, _positions(rng, FULL_NETWORK - FIRST_NETWORK, inside=False))
    _report_build(ctx, "build", started)


def shrink(ctx):
    """Back to the first network: the stations added after it deleted."""
    from django.db import connection, transaction

    from stations.models import Connector, Station

    last = ctx.data["stations_first_last_id"]
    started = time.monotonic()
    # Plain statements: a queryset delete would first load 360,000 rows to cascade itself.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, column in ((Connector, "station_id"), (Station, "id")):
            sql = f"DELETE FROM {table._meta.db_table} WHERE {column} > %s"  # noqa: S608
            cursor.execute(sql, [last])
    _maintain()
    ctx.data["stations_built"] = FIRST_NETWORK
    _report_build(ctx, "shrink", started)


def _surface(ctx):
    """
    The box's latency at the current network size, one request at a time, in rounds that each
    measure the baseline view's latency right before.
    """
    network = ctx.data["stations_built"]
    request = oioi_request(ctx.data["stations_emp_key"], "station-get-surface", BOX)
    # Warm every worker thread (imports, caches, its database connection, which PostgreSQL
    # keeps between requests) so that both sizes are measured alike.
    drive(ctx.host, ctx.port, [request], concurrency=WARM_UP_CONNECTIONS, duration=2)
    rounds = ctx.data.setdefault(f"stations_rounds_{network}", [])
    first_round = len(rounds)
    for _ in range(SURFACE_ROUNDS):
        baseline = drive(
            ctx.host, ctx.port, [Request("GET", "/bench/baseline")], concurrency=1, duration=0.5
        )
        surface = drive(
            ctx.host, ctx.port, [request], concurrency=1, duration=ctx.duration / SURFACE_ROUNDS
        )
        rounds.append((surface, surface["p50_ms"] / baseline["p50_ms"]))
    this_time = rounds[first_round:]
    ctx.report(
        _figure_name(ctx, f"oioi.station-get-surface.{network // 1000}k.p50"),
        round(statistics.median(r["p50_ms"] for r, _ in this_time), 2),
        "ms",
        p99_ms=round(statistics.median(r["p99_ms"] for r, _ in this_time), 2),
        x_baseline_latency=round(statistics.median(x for _, x in this_time), 2),
        stations_in_box=IN_BOX,
        network=network,
        requests=sum(r["requests"] for r, _ in this_time),
        errors=sum(r["errors"] for r, _ in this_time),
    )


def _median_of(ctx, network, key):
    rounds = ctx.data[f"stations_rounds_{network}"]
    return statistics.median(x if key is None else r[key] for r, x in rounds)


def measure_last(ctx):
    _surface(ctx)
    ctx.report(
        "oioi.station-get-surface.latency_ratio_100k_to_10k",
        round(_median_of(ctx, FULL_NETWORK, None) / _median_of(ctx, FIRST_NETWORK, None), 3),
        "x",
        p50_ratio=round(
            _median_of(ctx, FULL_NETWORK, "p50_ms") / _median_of(ctx, FIRST_NETWORK, "p50_ms"), 3
        ),
        p99_ratio=round(
            _median_of(ctx, FULL_NETWORK, "p99_ms") / _median_of(ctx, FIRST_NETWORK, "p99_ms"), 3
        ),
    )
    _connector_post_status(ctx)


def _status_requests(ctx, evse_ids):
    key = ctx.data["stations_cpo_key"]
    return [
        oioi_request(
            key,
            "connector-post-status",
            {
                "partner-identifier": "bench-stations-cpo-identifier",
                "connector-id": evse_id,
                "status": status,
            },
        )
        for status in ("Occupied", "Available")
        for evse_id in evse_ids
    ]


def _drive_each(ctx, request_lists):
    """One load thread per list, each sending its own list: ``drive`` with one connection each."""
    results = [None] * len(request_lists)

    def run(index):
        results[index] = drive(
            ctx.host, ctx.port, request_lists[index], concurrency=1, duration=ctx.duration
        )

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(request_lists))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = max(r["seconds"] for r in results)
    return {
        "rps": round(sum(r["requests"] for r in results) / seconds, 1),
        "p50_ms": sorted(r["p50_ms"] for r in results)[len(results) // 2],
        "p99_ms": max(r["p99_ms"] for r in results),
        "errors": sum(r["errors"] for r in results),
    }


def _connector_post_status(ctx):
    from stations.models import Connector

    evse_ids = list(
        Connector.objects.filter(type="Type2", speed=22.0)
        .order_by("id")
        .values_list("evse_id", flat=True)[: STATUS_THREADS * EVSES_PER_THREAD]
    )
    changes = _drive_each(
        ctx,
        [
            _status_requests(ctx, evse_ids[n * EVSES_PER_THREAD : (n + 1) * EVSES_PER_THREAD])
            for n in range(STATUS_THREADS)
        ],
    )
    # Sending the status the EVSE already has: what CPOs do most, answered from one read.
    repeats = drive(
        ctx.host,
        ctx.port,
        _status_requests(ctx, evse_ids[:1])[1:],
        concurrency=STATUS_THREADS,
        duration=ctx.duration,
    )
    for name, result in (("changes", changes), ("repeats", repeats)):
        ctx.report_throughput(f"connector-post-status.{name}", result)


PHASES = [
    (build_first, _surface),
    (build_full, _surface),
    (shrink, _surface),
    (build_full, measure_last),
]
