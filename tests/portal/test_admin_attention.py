"""The admin index starts with what needs attention: counts, each linking to its rows."""

import re
from datetime import timedelta

from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Authorization
from partners import services
from partners.models import ApiKey, Delivery
from tests.factories import CDRFactory, PartnerFactory, issue_key

INDEX = reverse("admin:index")
ITEM = re.compile(r'<li[^>]*><span class="count">(\d+)</span><a href="([^"]+)">([^<]+)</a></li>')


def attention(client):
    """{description: (count, link)} of the index's panel."""
    response = client.get(INDEX)
    assert response.status_code == 200
    return {
        text: (int(count), url.replace("&amp;", "&"))
        for count, url, text in ITEM.findall(response.content.decode())
    }


def delivery(partner, state, attempts):
    queued = services.delivery_enqueue(partner, "session-post", {"session-id": "S-1"})
    Delivery.objects.filter(pk=queued.pk).update(state=state, attempts=attempts)
    return queued


def forwarded(cpo, provider, failed, minutes_ago):
    Authorization.objects.create(
        partner=cpo,
        uid="0F0F0F01",
        result_code=102 if failed else 0,
        provider=provider,
        provider_answer="timeout" if failed else "0",
        provider_failed=failed,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def add_needing_attention(tag):
    """
    Two flagged CDRs, one dead letter, one key expiring soon, two failing partners, two online
    providers whose last forwarded verification failed.
    """
    cpo = PartnerFactory(name=f"CPO {tag}")
    flagged = [CDRFactory(cpo=cpo, needs_review=True, unmatched_user=True) for _ in range(2)]
    CDRFactory(cpo=cpo)
    dead_at = PartnerFactory(name=f"Dead endpoint {tag}", is_emp=True)
    retrying_at = PartnerFactory(name=f"Retrying endpoint {tag}", is_emp=True)
    fine = PartnerFactory(name=f"Fine endpoint {tag}", is_emp=True)
    dead = delivery(dead_at, Delivery.State.DEAD, 12)
    delivery(retrying_at, Delivery.State.PENDING, 2)
    delivery(fine, Delivery.State.DELIVERED, 1)
    delivery(fine, Delivery.State.PENDING, 0)
    now = timezone.now()
    expiring, _ = issue_key(cpo, expires_at=now + timedelta(days=3))
    issue_key(cpo, expires_at=now + timedelta(days=30))
    issue_key(cpo)
    revoked, _ = issue_key(cpo, expires_at=now + timedelta(days=3))
    services.api_key_revoke(revoked)
    expired, _ = issue_key(cpo, expires_at=now + timedelta(days=1))
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(days=1))
    online = {
        name: PartnerFactory(
            name=f"{name} {tag}", is_cpo=False, is_oem=True, online_authorization=True
        )
        for name in ("Timing out", "Down", "Recovered", "Never asked")
    }
    for name, (earlier, last) in {
        "Timing out": (False, True),
        "Down": (True, True),
        "Recovered": (True, False),
    }.items():
        forwarded(cpo, online[name], earlier, 2)
        forwarded(cpo, online[name], last, 1)
    return {
        "flagged CDRs to review": flagged,
        # One of each: named in the singular.
        "dead-letter delivery": [dead],
        "API key expiring within 14 days": [expiring],
        "partners whose OIOI endpoint fails": [dead_at, retrying_at],
        "online-authorizing providers whose endpoint fails": [
            online["Timing out"],
            online["Down"],
        ],
    }


def test_counts_link_to_exactly_the_rows_counted(superuser_client, db):
    expected = add_needing_attention("A")
    panel = attention(superuser_client)
    assert {text: count for text, (count, _) in panel.items()} == {
        text: len(rows) for text, rows in expected.items()
    }
    for text, (_, url) in panel.items():
        listed = superuser_client.get(url).context["cl"].result_list
        assert sorted(row.pk for row in listed) == sorted(row.pk for row in expected[text]), text


def test_the_panel_costs_one_query_per_count_whatever_the_rows(superuser_client, db):
    add_needing_attention("A")
    with CaptureQueriesContext(connection) as few:
        attention(superuser_client)
    add_needing_attention("B")
    with CaptureQueriesContext(connection) as more:
        counts = attention(superuser_client)
    assert len(more) == len(few)
    assert [count for count, _ in counts.values()] == [4, 2, 2, 4, 4]


def test_support_staff_see_the_counts_they_may_open(support_client, db):
    add_needing_attention("A")
    panel = attention(support_client)
    assert len(panel) == 5
    for _, url in panel.values():
        assert support_client.get(url).status_code == 200


def test_staff_see_only_the_items_they_may_open(client, db):
    add_needing_attention("A")
    cdr_reader = User.objects.create_user("cdr-reader", is_staff=True)
    cdr_reader.user_permissions.add(Permission.objects.get(codename="view_cdr"))
    client.force_login(cdr_reader)
    panel = attention(client)
    assert list(panel) == ["flagged CDRs to review"]
    assert client.get(reverse("admin:partners_delivery_changelist")).status_code == 403

    client.force_login(User.objects.create_user("no-rights", is_staff=True))
    response = client.get(INDEX)
    assert 'id="attention"' not in response.content.decode()
