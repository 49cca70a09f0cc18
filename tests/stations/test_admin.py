"""The stations back-office, driven through the real admin as signed-in staff."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, User
from django.urls import reverse

from partners import groups
from stations.models import Company, ConnectorStatusChange, Station
from tests.factories import BERLIN, build_stations
from tests.stations.helpers import post_station, post_status

STATIONS_URL = reverse("admin:stations_station_changelist")
HISTORY_URL = reverse("admin:stations_connectorstatuschange_changelist")
COMPANIES_URL = reverse("admin:stations_company_changelist")


def station_url(station):
    return reverse("admin:stations_station_change", args=[station.pk])


def staff_client(client, group_name):
    user = User.objects.create_user(group_name.split()[0].lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


def found(client, **query):
    response = client.get(STATIONS_URL, query)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_pages_need_a_staff_sign_in(client, cpo):
    station = build_stations(cpo, 1)[0]
    partner_user = User.objects.create_user("partner-user", is_staff=False)
    for url in (STATIONS_URL, station_url(station), HISTORY_URL, COMPANIES_URL):
        assert client.get(url)["Location"].startswith(reverse("admin:login")), url
    client.force_login(partner_user)
    for url in (STATIONS_URL, station_url(station), HISTORY_URL, COMPANIES_URL):
        assert client.get(url)["Location"].startswith(reverse("admin:login")), url


def test_station_list_search_and_filters(superuser_client, cpo, other_cpo):
    berlin = post_station(superuser_client, cpo, "BER-1", evse_ids=("DE*8PS*E1001",))
    theirs = post_station(
        superuser_client,
        other_cpo,
        "HAM-1",
        evse_ids=("DE*OTH*E7",),
        name="Elbe Arkaden",
        address={
            "street": "A",
            "street-number": "1",
            "city": "Hamburg",
            "zip": "2",
            "country": "DE",
        },
        deleted=True,
    )
    post_status(superuser_client, cpo, "DE*8PS*E1001", "Offline")

    page = superuser_client.get(STATIONS_URL).content.decode()
    assert "Hauptbahnhof P1" in page and "Elbe Arkaden" in page and "Offline" in page
    assert found(superuser_client, q="elbe") == [theirs]
    assert found(superuser_client, q="hamburg") == [theirs]
    assert found(superuser_client, q="HAM-1") == [theirs]
    assert found(superuser_client, q="DE*8PS*E1001") == [berlin]
    assert found(superuser_client, q="de8pse1001") == [berlin]
    assert found(superuser_client, q="de8pse1001", is_deleted__exact="1") == []
    assert found(superuser_client, operator__id__exact=theirs.operator_id) == [theirs]
    assert found(superuser_client, status="Offline") == [berlin]
    assert found(superuser_client, is_deleted__exact="1") == [theirs]


def test_station_page_shows_connectors_and_keeps_the_cpo_data_read_only(superuser_client, cpo):
    station = post_station(superuser_client, cpo)
    hotel = Company.objects.create(name="Hotel Adlon", type="hotel")

    response = superuser_client.get(station_url(station))
    assert response.status_code == 200
    page = response.content.decode()
    assert "DE*8PS*E1001" in page and "Type2" in page
    form_fields = set(response.context["adminform"].form.fields)
    assert form_fields == {
        "is_validated",
        "owner_company",
        "service_providers",
        "accepts_app",
        "accepts_rfid",
    }

    data = {
        "name": "Changed by staff",
        "is_validated": "on",
        "owner_company": hotel.pk,
        "service_providers": [hotel.pk],
        "accepts_rfid": "on",
        "connectors-TOTAL_FORMS": "1",
        "connectors-INITIAL_FORMS": "1",
        "connectors-MIN_NUM_FORMS": "0",
        "connectors-MAX_NUM_FORMS": "1000",
        "connectors-0-id": station.connectors.get().pk,
        "connectors-0-station": station.pk,
    }
    response = superuser_client.post(station_url(station), data)
    assert response.status_code == 302, response.context and response.context["errors"]

    station.refresh_from_db()
    assert station.name == "Hauptbahnhof P1"
    assert station.is_validated and station.owner_company == hotel and not station.accepts_app
    assert list(station.service_providers.all()) == [hotel]


def test_hide_and_unhide_actions_curate_the_read_calls_and_are_logged(
    superuser_client, cpo, reader, admin_user
):
    shown, hidden = build_stations(cpo, 2)

    def surface_ids():
        response = reader.post(superuser_client, "station-get-surface", BERLIN)
        return [s["id"] for s in response.json()["stations"]]

    action = {"action": "hide_selected", "_selected_action": [hidden.pk]}
    assert superuser_client.post(STATIONS_URL, action).status_code == 302

    hidden.refresh_from_db()
    assert hidden.is_hidden and hidden.hidden_by == admin_user and hidden.hidden_at
    assert surface_ids() == [shown.pk]
    entry = LogEntry.objects.get(object_id=str(hidden.pk), action_flag=CHANGE)
    assert entry.change_message == "Hidden from the read calls." and entry.user == admin_user
    assert found(superuser_client, is_hidden__exact="1") == [hidden]
    # Hiding twice changes and logs nothing more.
    superuser_client.post(STATIONS_URL, action)
    assert LogEntry.objects.filter(object_id=str(hidden.pk)).count() == 1

    superuser_client.post(STATIONS_URL, {**action, "action": "unhide_selected"})
    hidden.refresh_from_db()
    assert not hidden.is_hidden and hidden.hidden_by is None
    assert surface_ids() == [shown.pk, hidden.pk]
    assert LogEntry.objects.filter(object_id=str(hidden.pk)).count() == 2


def test_support_staff_see_but_do_not_curate(client, cpo):
    station = build_stations(cpo, 1)[0]
    support = staff_client(client, groups.SUPPORT)

    assert support.get(STATIONS_URL).status_code == 200
    assert support.get(station_url(station)).status_code == 200
    response = support.post(
        STATIONS_URL, {"action": "hide_selected", "_selected_action": [station.pk]}
    )
    assert response.status_code == 200  # the action is not offered: the list is shown again
    station.refresh_from_db()
    assert not station.is_hidden
    assert not LogEntry.objects.exists()


def test_partner_management_curates(client, cpo):
    station = build_stations(cpo, 1)[0]
    manager = staff_client(client, groups.PARTNER_MANAGEMENT)

    manager.post(STATIONS_URL, {"action": "hide_selected", "_selected_action": [station.pk]})

    station.refresh_from_db()
    assert station.is_hidden


def test_status_history_is_read_only(superuser_client, cpo):
    post_station(superuser_client, cpo)
    post_status(superuser_client, cpo, "DE*8PS*E1001", "Occupied")
    change = ConnectorStatusChange.objects.get()

    page = superuser_client.get(HISTORY_URL).content.decode()
    assert "DE*8PS*E1001" in page and "Occupied" in page and change.request_id in page
    found_by_evse = superuser_client.get(HISTORY_URL, {"q": "DE*8PS*E1001"}).context["cl"]
    assert list(found_by_evse.result_list) == [change]
    change_url = reverse("admin:stations_connectorstatuschange_change", args=[change.pk])
    response = superuser_client.post(change_url, {"status": "Available"})
    assert response.status_code == 403
    add_url = reverse("admin:stations_connectorstatuschange_add")
    assert superuser_client.get(add_url).status_code == 403
    delete_url = reverse("admin:stations_connectorstatuschange_delete", args=[change.pk])
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ConnectorStatusChange.objects.get().status == "Occupied"


def test_stations_cannot_be_added_or_deleted_by_staff(superuser_client, cpo):
    station = build_stations(cpo, 1)[0]
    assert superuser_client.get(reverse("admin:stations_station_add")).status_code == 403
    delete_url = reverse("admin:stations_station_delete", args=[station.pk])
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Station.objects.filter(pk=station.pk).exists()


def test_companies(superuser_client, cpo):
    station = post_station(superuser_client, cpo)
    response = superuser_client.get(COMPANIES_URL, {"q": station.operator.value})
    assert list(response.context["cl"].result_list) == [station.operator_company]
    # With the (empty) management form of the images inline.
    images = {"images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0"}
    add = superuser_client.post(
        reverse("admin:stations_company_add"), {"name": "Hotel Adlon", "type": "hotel", **images}
    )
    assert add.status_code == 302
    assert Company.objects.filter(name="Hotel Adlon", type="hotel").exists()


def test_station_list_costs_a_constant_number_of_queries(
    superuser_client, cpo, django_assert_max_num_queries
):
    build_stations(cpo, 10)
    superuser_client.get(STATIONS_URL)
    with django_assert_max_num_queries(12) as small:
        superuser_client.get(STATIONS_URL)
    build_stations(cpo, 90, prefix="MORE")
    with django_assert_max_num_queries(len(small.captured_queries)):
        superuser_client.get(STATIONS_URL)


def test_station_page_shows_the_opening_hours_readably(superuser_client, cpo):
    hours = [
        {"days": ["Mo", "Fr"], "times": ["07:30", "19:00"]},
        {"days": ["Su"], "times": ["24h"]},
    ]
    station = post_station(superuser_client, cpo, **{"open-hour-notes": hours})
    page = superuser_client.get(station_url(station)).content.decode()
    assert '<div class="readonly">Mo – Fr 07:30 – 19:00<br>Su 24h</div>' in page
    assert "&quot;times&quot;" not in page
