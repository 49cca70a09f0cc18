"""The CDR back-office, driven through the real admin as signed-in staff users."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.urls import reverse

from cdrs.models import CDR, CDRDailyTotal
from partners.models import Delivery
from tests.cdrs.helpers import post_cdr, receiving_partner
from tests.factories import ConnectorFactory, build_cdrs, make_key

CHANGELIST = reverse("admin:cdrs_cdr_changelist")


def change_url(cdr):
    return reverse("admin:cdrs_cdr_change", args=[cdr.pk])


def listed(response):
    assert response.status_code == 200, response.content
    return sorted(cdr.session_id for cdr in response.context["cl"].result_list)


@pytest.fixture
def cdrs(client, cpo, other_cpo, partner_server):
    """A matched CDR forwarded to an EMP, a flagged one in CHF, another CPO's open one."""
    emp = receiving_partner("Roaming EMP", partner_server, "emp")
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    make_key("04A1B2C3", "DE*EMP*123456*7", provider=emp.partner)
    matched = post_cdr(client, cpo, "MATCHED")
    flagged = post_cdr(
        client,
        cpo,
        "FLAGGED",
        **{
            "user": {"identifier-type": "evco-id", "identifier": "DE*8PS*999999*9"},
            "connector-id": "DE*8PS*E9999",
            "energy-consumed": "1.5",
            "calculated-cost": {"amount": "2.25", "currency": "CHF"},
        },
    )
    theirs = post_cdr(client, other_cpo, "THEIRS", final=False)
    return {"emp": emp.partner, "matched": matched, "flagged": flagged, "theirs": theirs}


def test_anonymous_and_staff_without_a_group_are_kept_out(client, cdrs):
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(User.objects.create_user("nobody", is_staff=True))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(cdrs["matched"])).status_code == 403


def test_support_reads_a_cdr_with_its_revisions_but_changes_nothing(support_client, cdrs):
    cdr = cdrs["matched"]
    response = support_client.get(change_url(cdr))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Payload as received" in page
    assert "&quot;session-id&quot;: &quot;MATCHED&quot;" in page
    assert cdr.revisions.get().key_prefix in page
    assert 'name="_save"' not in page
    before = list(CDR.objects.values())
    response = support_client.post(change_url(cdr), {"session_id": "CHANGED"})
    assert response.status_code == 403
    assert support_client.post(reverse("admin:cdrs_cdr_delete", args=[cdr.pk])).status_code == 403
    assert list(CDR.objects.values()) == before


def test_nobody_changes_or_deletes_billing_data_superusers_included(superuser_client, cdrs):
    cdr = cdrs["matched"]
    page = superuser_client.get(change_url(cdr))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "deletelink" not in page.content.decode()
    before = list(CDR.objects.order_by("pk").values())
    revisions = list(cdr.revisions.values())
    totals = list(CDRDailyTotal.objects.order_by("pk").values())
    changed = {
        "session_id": cdr.session_id,
        "cost_amount": "999.99",
        "cost_currency": "EUR",
        "energy_kwh": "1",
        "state": "final",
        "revisions-TOTAL_FORMS": "1",
        "revisions-INITIAL_FORMS": "1",
        "revisions-0-id": cdr.revisions.get().pk,
        "revisions-0-DELETE": "on",
    }
    assert superuser_client.post(change_url(cdr), changed).status_code == 403
    delete_url = reverse("admin:cdrs_cdr_delete", args=[cdr.pk])
    assert superuser_client.get(delete_url).status_code == 403
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [cdr.pk], "post": "yes"}
    superuser_client.post(CHANGELIST, bulk)
    actions = superuser_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert [name for name, _ in actions] == ["", "review_selected"]
    assert superuser_client.get(reverse("admin:cdrs_cdr_add")).status_code == 403
    assert list(CDR.objects.order_by("pk").values()) == before
    assert list(cdr.revisions.values()) == revisions
    assert list(CDRDailyTotal.objects.order_by("pk").values()) == totals
    assert not Delivery.objects.filter(call="session-post").exclude(dedupe_key=f"cdr:{cdr.pk}")


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("MATCHED", ["MATCHED"]),
        ("de8pse1001", ["MATCHED", "THEIRS"]),
        ("DE*8PS*E9999", ["FLAGGED"]),
        ("04a1b2c3", ["MATCHED", "THEIRS"]),
        ("de-emp-123456-7", ["MATCHED", "THEIRS"]),
        ("DE8PS9999999", ["FLAGGED"]),
        ("nothing", []),
    ],
)
def test_search_by_session_evse_evco_or_uid_in_any_form(support_client, cdrs, term, found):
    assert listed(support_client.get(CHANGELIST, {"q": term})) == found


def test_filters(support_client, cdrs, cpo):
    assert listed(support_client.get(CHANGELIST, {"cpo": cpo.partner.pk})) == [
        "FLAGGED",
        "MATCHED",
    ]
    assert listed(support_client.get(CHANGELIST, {"recipient": cdrs["emp"].pk})) == [
        "MATCHED",
        "THEIRS",
    ]
    assert listed(support_client.get(CHANGELIST, {"state": "open"})) == ["THEIRS"]
    assert listed(support_client.get(CHANGELIST, {"flag": "needs_review"})) == [
        "FLAGGED",
        "THEIRS",
    ]
    assert listed(support_client.get(CHANGELIST, {"flag": "unmatched_connector"})) == [
        "FLAGGED",
        "THEIRS",
    ]
    assert listed(support_client.get(CHANGELIST, {"currency": "chf"})) == ["FLAGGED"]
    period = {
        "session_start__gte": "2026-03-02 00:00:00+00:00",
        "session_start__lt": "2026-03-03 00:00:00+00:00",
    }
    assert len(listed(support_client.get(CHANGELIST, period))) == 3
    period = {
        "session_start__gte": "2026-03-03 00:00:00+00:00",
        "session_start__lt": "2026-03-04 00:00:00+00:00",
    }
    assert listed(support_client.get(CHANGELIST, period)) == []


def test_totals_of_the_filtered_list(support_client, cdrs, cpo):
    response = support_client.get(CHANGELIST, {"cpo": cpo.partner.pk})
    totals = response.context["totals"]
    assert totals.count == 2
    assert totals.energy_kwh == Decimal("13.8456")
    assert totals.cost_by_currency == {"CHF": Decimal("2.25"), "EUR": Decimal("7.40")}
    page = response.content.decode()
    # Formatted as staff read them: energy to 3 decimals, money to 2, no stored zeros.
    assert "13.846\xa0kWh" in page and "2.25\xa0CHF" in page and "7.40\xa0EUR" in page
    assert "2.2500" not in page


def test_list_shows_energy_and_cost_formatted_and_long_ids_shortened(support_client, cdrs):
    flagged = cdrs["flagged"]
    CDR.objects.filter(pk=flagged.pk).update(session_id="5f0c3a9e-1b2d-4c6e-8f7a-9b0c1d2e3f4a")
    page = support_client.get(CHANGELIST, {"currency": "CHF"}).content.decode()
    assert '<td class="field-energy_display">1.5</td>' in page
    assert '<td class="field-cost_display">2.25\xa0CHF</td>' in page
    assert 'title="5f0c3a9e-1b2d-4c6e-8f7a-9b0c1d2e3f4a">5f0c3a9e-1b2d-4c…</span>' in page
    # The user identifier is on the CDR's page, not in the list.
    assert "field-user_identifier" not in page
    detail = support_client.get(change_url(flagged)).content.decode()
    assert '<div class="readonly">1.5</div>' in detail
    assert '<div class="readonly">2.25\xa0CHF</div>' in detail
    assert "DE*8PS*999999*9" in detail and "1.500000" not in detail


def review(client, cdrs, note, apply=True):
    data = {
        "action": "review_selected",
        "_selected_action": [cdrs["flagged"].pk, cdrs["matched"].pk],
    }
    if apply:
        data.update(apply="1", note=note)
    return client.post(CHANGELIST, data)


def test_review_of_flagged_cdrs_with_a_note_is_logged(management_client, cdrs):
    confirmation = review(management_client, cdrs, "", apply=False)
    assert confirmation.status_code == 200
    assert "FLAGGED" in confirmation.content.decode()
    assert "1 selected CDR(s) need no review" in confirmation.content.decode()

    before = list(CDR.objects.order_by("pk").values())
    refused = review(management_client, cdrs, "   ")
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert list(CDR.objects.order_by("pk").values()) == before

    response = review(management_client, cdrs, "EVSE renamed by the CPO; user is a test card.")
    assert response.status_code == 302
    flagged = CDR.objects.get(pk=cdrs["flagged"].pk)
    assert not flagged.needs_review
    assert flagged.unmatched_user and flagged.unmatched_connector  # the facts stay
    assert flagged.reviewed_by.username == "manager" and flagged.reviewed_at is not None
    assert flagged.review_note == "EVSE renamed by the CPO; user is a test card."
    (entry,) = LogEntry.objects.filter(object_id=str(flagged.pk))
    assert entry.action_flag == CHANGE and "EVSE renamed by the CPO" in entry.get_change_message()
    matched = CDR.objects.get(pk=cdrs["matched"].pk)
    assert matched.reviewed_at is None and not LogEntry.objects.filter(object_id=str(matched.pk))


def test_support_may_not_review(support_client, cdrs):
    before = list(CDR.objects.order_by("pk").values())
    review(support_client, cdrs, "looks fine")
    assert list(CDR.objects.order_by("pk").values()) == before
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("count", [5, 60])
def test_changelist_costs_a_constant_number_of_queries(
    support_client, cpo, count, django_assert_max_num_queries
):
    build_cdrs(cpo, count)
    # Session, user, permissions, filters' partners, the page, its count, the two totals...
    with django_assert_max_num_queries(12):
        assert support_client.get(CHANGELIST).status_code == 200
