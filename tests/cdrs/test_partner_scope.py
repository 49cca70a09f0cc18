"""
The one partner-scope rule of CDRs (``CDRQuerySet.for_partner``): a partner sees the CDRs it
posted and the final ones forwarded to it, never another's; its daily totals, its CSV export's
two parts, the REST API and the portal all show exactly that.
"""

import csv
import io

import pytest

from cdrs.models import CDR, CDRDailyTotal
from cdrs.selectors import cdr_export_parts
from partners.models import Role
from tests.factories import CDRFactory
from tests.mixins import partner_with_roles, portal_user


@pytest.fixture
def world(db):
    """Two CPOs and an EMP; CDRs forwarded, open, unmatched, and one a CPO forwarded to itself."""
    cpo = partner_with_roles("Plain CPO", {Role.CPO})
    both = partner_with_roles("Both", {Role.CPO, Role.EMP})
    emp = partner_with_roles("Plain EMP", {Role.EMP})
    cdrs = {
        "cpo>emp": CDRFactory(cpo=cpo.partner, recipient=emp.partner),
        "cpo>emp open": CDRFactory(cpo=cpo.partner, recipient=emp.partner, final=False),
        "cpo>both": CDRFactory(cpo=cpo.partner, recipient=both.partner),
        "cpo": CDRFactory(cpo=cpo.partner),
        "both>both": CDRFactory(cpo=both.partner, recipient=both.partner),
    }
    return {"cpo": cpo, "both": both, "emp": emp, "cdrs": cdrs}


def names(world, ids):
    by_pk = {cdr.pk: name for name, cdr in world["cdrs"].items()}
    return {by_pk[pk] for pk in ids}


EXPECTED = {
    "cpo": {"cpo>emp", "cpo>emp open", "cpo>both", "cpo"},
    "both": {"cpo>both", "both>both"},
    # Not the open CDR: it is not forwarded yet.
    "emp": {"cpo>emp"},
}


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_the_rule_and_its_parts(world, viewer):
    partner = world[viewer].partner
    scoped = CDR.objects.for_partner(partner)
    assert names(world, scoped.values_list("pk", flat=True)) == EXPECTED[viewer]
    posted, forwarded = (
        list(part.values_list("pk", flat=True)) for part in cdr_export_parts(partner)
    )
    assert not set(posted) & set(forwarded)
    assert names(world, posted + forwarded) == EXPECTED[viewer]
    assert len(posted + forwarded) == len(EXPECTED[viewer])
    totals = CDRDailyTotal.objects.for_partner(partner)
    assert sum(totals.values_list("sessions", flat=True)) == len(EXPECTED[viewer])


def test_a_partner_with_no_cdrs_sees_none(world):
    stranger = partner_with_roles("Stranger", {Role.CPO, Role.EMP, Role.FLEET}).partner
    assert not CDR.objects.for_partner(stranger).exists()
    assert not CDRDailyTotal.objects.for_partner(stranger).exists()


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_rest_and_its_csv_show_the_rule(client, world, viewer):
    response = world[viewer].get(client, "/api/v1/cdrs/")
    assert response.status_code == 200, response.content
    assert names(world, [item["id"] for item in response.json()["results"]]) == EXPECTED[viewer]
    response = world[viewer].get(client, "/api/v1/cdrs/", data={"format": "csv"})
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert names(world, [int(row["id"]) for row in rows]) == EXPECTED[viewer]


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_the_portal_shows_the_rule(client, world, viewer):
    client.force_login(portal_user(world[viewer].partner, f"{viewer}-user"))
    response = client.get("/portal/cdrs/", data={"period": "last_30_days"})
    assert response.status_code == 200
    assert names(world, [cdr.pk for cdr in response.context["cdrs"]]) == EXPECTED[viewer]
    for name, cdr in world["cdrs"].items():
        status = client.get(f"/portal/cdrs/{cdr.pk}/").status_code
        assert status == (200 if name in EXPECTED[viewer] else 404)
