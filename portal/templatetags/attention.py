"""The admin index's "needs attention" panel: counts of what staff should look at, with links."""

from django import template
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from cdrs.selectors import cdr_count_needing_review
from clients.selectors import online_provider_list_failing
from partners import selectors

register = template.Library()

# (model, what is counted (one, several), the count (one query), the changelist's filter
# showing the rows).
ITEMS = [
    (
        "cdrs.CDR",
        ("flagged CDR to review", "flagged CDRs to review"),
        cdr_count_needing_review,
        "flag=needs_review",
    ),
    (
        "partners.Delivery",
        ("dead-letter delivery", "dead-letter deliveries"),
        lambda: selectors.delivery_list_dead().count(),
        "state__exact=dead",
    ),
    (
        "partners.ApiKey",
        (
            f"API key expiring within {selectors.KEY_EXPIRY_WARNING.days} days",
            f"API keys expiring within {selectors.KEY_EXPIRY_WARNING.days} days",
        ),
        lambda: selectors.api_key_list_expiring().count(),
        "expiry=soon",
    ),
    (
        "partners.Partner",
        ("partner whose OIOI endpoint fails", "partners whose OIOI endpoint fails"),
        lambda: selectors.partner_list_endpoint_failing().count(),
        "endpoint=failing",
    ),
    (
        "clients.OnlineProvider",
        (
            "online-authorizing provider whose endpoint fails",
            "online-authorizing providers whose endpoint fails",
        ),
        lambda: online_provider_list_failing().count(),
        "health=failing",
    ),
]


@register.simple_tag(takes_context=True)
def admin_attention(context):
    """The items the signed-in user may open: each counted, with a link to the rows."""
    request = context["request"]
    items = []
    for label, (one, several), count, query in ITEMS:
        model = apps.get_model(label)
        model_admin = admin.site.get_model_admin(model)
        # Counted only for those who may open the list it links to.
        if not model_admin.has_view_or_change_permission(request):
            continue
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        number = count()
        description = one if number == 1 else several
        items.append({"description": description, "count": number, "url": f"{url}?{query}"})
    return items
