"""The OIOI request path itself: key check, envelope, dispatch, audit row."""

from bench.load import drive, oioi_request


def build(ctx):
    from partners import services

    partner = services.partner_create(name="Bench CPO", roles=["cpo"])
    ctx.data["core_key"] = services.api_key_issue(partner, label="bench").plaintext


def measure(ctx):
    request = oioi_request(ctx.data["core_key"], "api-minimum-version-number", {})
    result = drive(ctx.host, ctx.port, [request], duration=ctx.duration)
    ctx.report_throughput("api-minimum-version-number", result)
