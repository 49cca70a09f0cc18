"""
Words for the codes the portal shows: states, connector statuses, result codes, CDR flags.
Result codes are a protocol's: its app registers their words (``register``).
The models' choices stay the protocol's and the admin's English; the portal shows these, in
the page's language (``{{ value|label:"cdr_state" }}``, and the filters' choices).
"""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "cdr_state": {"open": _("open (may still change)"), "final": _("final")},
    "session_state": {
        "requested": _("requested"),
        "started": _("started"),
        "failed": _("failed"),
        "stopped": _("stopped"),
    },
    "connector_status": {
        "Available": _("available"),
        "Occupied": _("occupied"),
        "Offline": _("offline"),
        "Reserved": _("reserved"),
        "Unknown": _("unknown"),
    },
    # Plug types are names, the same in every language.
    "connector_type": {},
    "delivery_state": {
        "pending": _("waiting to be sent"),
        "sending": _("being sent"),
        "delivered": _("delivered"),
        "dead": _("given up"),
    },
    "api_key_state": {"active": _("active"), "expired": _("expired"), "revoked": _("revoked")},
    "identifier_type": {"rfid": _("RFID card"), "evco-id": _("EVCO id")},
    "cdr_flag": {
        "unmatched user": _("customer not recognised"),
        "unmatched connector": _("EVSE id not found among the stations"),
    },
}


def register(kind, words):
    """
    Give the words of ``kind`` (e.g. a protocol's result codes, which the domain stores as its
    partners answered them): the app that knows them registers them when it is ready.
    """
    LABELS[kind] = words


def label(kind, value):
    """The word for ``value`` among ``kind``'s; an unknown value as it is."""
    return LABELS[kind].get(value, value)


def choices(kind, values):
    """Form choices of ``values`` with their words."""
    return [(value, label(kind, value)) for value in values]
