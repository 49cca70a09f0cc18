"""The OIOI calls of the platform core."""

from django.conf import settings

from oioi.registry import Outcome, register
from oioi.serializers import EmptySerializer


@register("api-minimum-version-number", serializer=EmptySerializer, atomic=False)
def api_minimum_version_number(call):
    return Outcome(
        members={"api-minimum-version-number": {"minimum-version": settings.OIOI_MINIMUM_VERSION}}
    )
