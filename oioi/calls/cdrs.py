"""session-post: CPOs post their CDRs (docs/oioi.md, session-post)."""

from cdrs import services
from oioi.registry import Outcome, register
from oioi.serializers.cdrs import SessionPostSerializer
from partners.models import Role


@register(
    "session-post", serializer=SessionPostSerializer, roles=[Role.CPO], partner_identifier=True
)
def session_post(call):
    result = services.cdr_post(
        partner=call.partner,
        partner_identifier=call.partner_identifier,
        data=call.data,
        key_prefix=call.api_key.prefix,
        request_id=call.request_id,
    )
    message = "" if result.changed else "This final CDR is already stored; nothing changed."
    # The public docs answer a `reason` beside the result, null on success.
    return Outcome(message=message, members={"reason": None})
