"""
The one partner-scope rule of stations and connectors (``station_scope``), and that the REST
API, the portal and OIOI's read calls each show exactly what it gives them.
"""

import pytest

from partners.models import Role
from stations.models import Connector, Station
from tests.factories import BERLIN, StationFactory
from tests.mixins import partner_with_roles, portal_user

KINDS = ("plain", "hidden", "private", "deleted")


def stations_of(owner):
    """One station of ``owner`` of each kind, one connector each."""
    flags = {"hidden": {"is_hidden": True}, "private": {"is_private": True}}
    flags["deleted"] = {"is_deleted": True}
    return {
        kind: StationFactory(owner=owner, connectors=1, **flags.get(kind, {})) for kind in KINDS
    }


@pytest.fixture
def world(db):
    """A CPO that is an EMP too, a CPO, an EMP, and each CPO's stations of every kind."""
    both = partner_with_roles("Both", {Role.CPO, Role.EMP})
    cpo = partner_with_roles("Plain CPO", {Role.CPO})
    emp = partner_with_roles("Plain EMP", {Role.EMP})
    stations = {"both": stations_of(both.partner), "cpo": stations_of(cpo.partner)}
    return {"both": both, "cpo": cpo, "emp": emp, "stations": stations}


def names(world, queryset):
    """The stations of ``queryset`` as "owner.kind"."""
    by_pk = {
        s.pk: f"{owner}.{kind}"
        for owner, kinds in world["stations"].items()
        for kind, s in kinds.items()
    }
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


PORTAL = {}
REST = {"usable": False, "include_deleted": True}
OIOI = {"pushed": False}

# (viewer, options) -> the stations it sees.
EXPECTED = {
    # Its own, hidden ones too, and what its customers can use; never deleted ones.
    ("both", "portal"): {"both.plain", "both.hidden", "both.private", "cpo.plain"},
    ("cpo", "portal"): {"cpo.plain", "cpo.hidden", "cpo.private"},
    ("emp", "portal"): {"both.plain", "cpo.plain"},
    # What it pushed, deleted ones too; nothing of another's.
    ("both", "rest"): {"both.plain", "both.hidden", "both.private", "both.deleted"},
    ("cpo", "rest"): {"cpo.plain", "cpo.hidden", "cpo.private", "cpo.deleted"},
    ("emp", "rest"): set(),
    # What drivers may use: curation hides even the caller's own station.
    ("both", "oioi"): {"both.plain", "both.private", "cpo.plain"},
    ("cpo", "oioi"): set(),
    ("emp", "oioi"): {"both.plain", "cpo.plain"},
}
OPTIONS = {"portal": PORTAL, "rest": REST, "oioi": OIOI}


@pytest.mark.parametrize(("viewer", "interface"), sorted(EXPECTED))
def test_the_rule(world, viewer, interface):
    partner = world[viewer].partner
    seen = names(world, Station.objects.for_partner(partner, **OPTIONS[interface]))
    assert seen == EXPECTED[viewer, interface]
    connectors = Connector.objects.for_partner(partner, **OPTIONS[interface])
    assert names(world, Station.objects.filter(connectors__in=connectors)) == seen
    # Of another partner's stations, at most the plain one shows.
    own = {f"{viewer}.{kind}" for kind in KINDS}
    assert {name for name in seen - own if not name.endswith(".plain")} == set()


@pytest.mark.parametrize("viewer", ["both", "cpo", "emp"])
def test_rest_shows_the_rule(client, world, viewer):
    caller = world[viewer]
    response = caller.get(client, "/api/v1/stations/")
    assert response.status_code == 200, response.content
    ids = {item["id"] for item in response.json()["results"]}
    assert names(world, Station.objects.filter(pk__in=ids)) == EXPECTED[viewer, "rest"]
    response = caller.get(client, "/api/v1/connectors/")
    ids = {item["id"] for item in response.json()["results"]}
    shown = Station.objects.filter(connectors__in=ids)
    assert names(world, shown) == EXPECTED[viewer, "rest"]


@pytest.mark.parametrize("viewer", ["both", "cpo", "emp"])
def test_the_portal_shows_the_rule(client, world, viewer):
    client.force_login(portal_user(world[viewer].partner, f"{viewer}-user"))
    response = client.get("/portal/stations/")
    assert response.status_code == 200
    ids = [station.pk for station in response.context["stations"]]
    assert names(world, Station.objects.filter(pk__in=ids)) == EXPECTED[viewer, "portal"]


@pytest.mark.parametrize("viewer", ["both", "emp"])
def test_the_oioi_read_calls_show_the_rule(client, world, viewer):
    caller = world[viewer]
    every = list(Station.objects.values_list("pk", flat=True))
    response = caller.post(client, "station-get-by-ids", {"station-ids": every})
    assert response.json()["result"]["code"] == 0, response.content
    ids = {station["id"] for station in response.json()["stations"]}
    assert names(world, Station.objects.filter(pk__in=ids)) == EXPECTED[viewer, "oioi"]
    response = caller.post(client, "station-get-surface", BERLIN)
    ids = {station["id"] for station in response.json()["stations"]}
    assert names(world, Station.objects.filter(pk__in=ids)) == EXPECTED[viewer, "oioi"]
