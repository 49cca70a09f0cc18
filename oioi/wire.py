"""
The CDR as we send it to its recipient: OIOI's session-post, as the CPO posted it to us, with the
recipient's own partner identifier. See README, "CDRs".
"""

from oioi.serializers import TimestampField

timestamp = TimestampField().to_representation


def decimal_number(value):
    """
    A decimal as a JSON number. Our decimals have at most 15 significant digits, which a double
    holds exactly enough that its shortest text is the decimal's own: `12.3456` stays `12.3456`.
    """
    return None if value is None else float(value.normalize())


def cdr_wire_payload(cdr, partner_identifier=None, *, user_identifier=None):
    """
    The session-post payload of a CDR: the user as the CPO named it (without any token, a
    credential of the CPO's), the CPO's session id and EVSE id, intervals in UTC, energy and
    cost as numbers. ``partner_identifier`` names the recipient; left out when it has none.
    ``user_identifier`` is the identifier as its addressee may see it
    (``cdrs.selectors.cdr_customer_shown``); the one sent when not given.
    """
    payload = {
        "user": {
            "identifier-type": cdr.user_identifier_type,
            "identifier": cdr.user_identifier if user_identifier is None else user_identifier,
        },
        "session-id": cdr.session_id,
        "connector-id": cdr.evse_id,
        "session-interval": {
            "start": timestamp(cdr.session_start),
            "stop": timestamp(cdr.session_stop),
        },
    }
    if cdr.charging_start is not None:
        payload["charging-interval"] = {
            "start": timestamp(cdr.charging_start),
            "stop": timestamp(cdr.charging_stop),
        }
    if cdr.energy_kwh is not None:
        payload["energy-consumed"] = decimal_number(cdr.energy_kwh)
    if cdr.cost_amount is not None:
        payload["calculated-cost"] = {
            "amount": decimal_number(cdr.cost_amount),
            "currency": cdr.cost_currency,
        }
    if partner_identifier is not None:
        payload["partner-identifier"] = partner_identifier.value
    return payload
