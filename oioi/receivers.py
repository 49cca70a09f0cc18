"""
OIOI's part in what the domain announces (``<app>.signals``): the deliveries it queues, in the
sender's transaction, so they commit with their cause. Connected by importing this module in
``OioiConfig.ready()``.
"""

from django.dispatch import receiver

from cdrs import selectors as cdr_selectors
from cdrs.models import CDR
from cdrs.signals import cdr_final
from clients.signals import offline_whitelist_due
from oioi.wire import cdr_wire_payload
from partners.services import delivery_enqueue


@receiver(cdr_final)
def cdr_forward(sender, cdr, **kwargs):
    """Queue the final CDR's session-post to its recipient, if it has one."""
    if cdr.recipient is None:
        return
    identifier = cdr_selectors.partner_identifier_for_recipient(cdr.recipient)
    # The recipient sees its customer as every interface shows CDRs: by the one rule.
    user_identifier = (
        cdr_selectors.cdr_customer_shown(CDR.objects.filter(pk=cdr.pk), cdr.recipient)
        .values_list("customer_shown", flat=True)
        .get()
    )
    delivery_enqueue(
        cdr.recipient,
        "session-post",
        cdr_wire_payload(cdr, identifier, user_identifier=user_identifier),
        subject=f"CDR {cdr.pk} ({cdr.session_id})",
        dedupe_key=cdr_selectors.cdr_forward_dedupe_key(cdr),
    )


@receiver(offline_whitelist_due)
def offline_whitelist_send(sender, partner, uids, fingerprint, now, **kwargs):
    """
    Queue rfid-post with the complete whitelist to the offline CPO, naming it by its first
    active identifier (none when it has none). One delivery per list and day.
    """
    payload = {"rfids": uids}
    identifier = partner.identifiers.filter(is_active=True).first()
    if identifier is not None:
        payload["partner-identifier"] = identifier.value
    delivery_enqueue(
        partner,
        "rfid-post",
        payload,
        subject=f"whitelist of {len(uids)} UIDs",
        dedupe_key=f"whitelist:{partner.pk}:{fingerprint}:{now:%Y%m%d}",
    )
