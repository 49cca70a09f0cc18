"""Reads of the partner portal that belong to the core: memberships, users, API keys."""

from oioi_portal.models import ApiKey, PartnerMembership


def membership_for(user):
    """The signed-in user's membership with its partner (one query), or None."""
    if not user.is_authenticated:
        return None
    return PartnerMembership.objects.select_related("partner", "user").filter(user=user).first()


def memberships_of(partner):
    return PartnerMembership.objects.filter(partner=partner).select_related("user")


def api_keys_of(partner):
    """The partner's keys as the dashboard shows them: prefixes and use, never a secret."""
    return ApiKey.objects.filter(partner=partner).only(
        "prefix", "label", "created_at", "expires_at", "revoked_at", "last_used_at", "partner_id"
    )
