"""
The partner portal at size: the CDR report (totals, chart, first page) and its CSV and .xlsx
exports over the 1,000,000 CDRs of one CPO that the cdrs suite builds (built here too when that
suite is not run), signed in as a portal user of that CPO.
"""

from datetime import date
from urllib.parse import urlencode

from bench.load import Request, drive
from bench.suites import cdrs as cdrs_suite


def build(ctx):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from partners import services
    from partners.models import ApiKey

    # Production settings serve the pages' static files from the collectstatic manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    if "cdrs_key" not in ctx.data:
        cdrs_suite.build(ctx)
    prefix = ctx.data["cdrs_key"].partition(".")[0]
    cpo = ApiKey.objects.select_related("partner").get(prefix=prefix).partner
    user = services.portal_user_create(cpo, "bench-portal-user", is_partner_admin=True)
    # A signed-in session as the login view would store it, without driving the form.
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    ctx.data["portal_cookie"] = f"sessionid={session.session_key}"


def page(ctx, query):
    return Request("GET", f"/portal/cdrs/?{urlencode(query)}", headers=cookie(ctx))


def cookie(ctx):
    return {"Cookie": ctx.data["portal_cookie"], "Accept-Language": "en"}


def measure(ctx):
    everything = {
        "period": "dates",
        "date_from": cdrs_suite.START.date().isoformat(),
        "date_to": date.today().isoformat(),
    }
    views = {
        "this_month": {"period": "this_month"},
        "last_month": {"period": "last_month"},
        "all_1m": everything,
        "all_1m_one_station_sorted_by_energy": {
            **everything,
            "evse_id": "DE*BCD*E0007",
            "sort": "-energy",
        },
    }
    for name, query in views.items():
        result = drive(ctx.host, ctx.port, [page(ctx, query)], concurrency=1, duration=ctx.duration)
        ctx.report(
            f"portal.cdr_report_{name}.p50",
            result["p50_ms"],
            "ms",
            p99_ms=result["p99_ms"],
            requests=result["requests"],
            errors=result["errors"],
        )
    for export_format in ("csv", "xlsx"):
        export(ctx, "all_1m", everything, export_format)


def export(ctx, name, query, export_format):
    """Download the report's export of ``query``; time to first byte, total, memory."""
    got = cdrs_suite.download(
        ctx, f"/portal/cdrs/?{urlencode({**query, 'export': export_format})}", cookie(ctx)
    )
    ctx.report(
        f"portal.cdr_{export_format}_export_{name}.seconds",
        round(got["seconds"], 2),
        "s",
        # A workbook is zipped: its lines are not its rows.
        rows=got["rows"] if export_format == "csv" else None,
        http_status=got["status"],
        mib=round(got["size"] / 2**20, 1),
        first_byte_ms=round(got["first_byte"] * 1000),
        rows_per_s=round(got["rows"] / got["seconds"]),
        worker_rss_growth_mib=round(got["growth_kib"] / 1024, 1),
    )
