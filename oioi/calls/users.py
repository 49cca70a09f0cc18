"""
The `user-*` calls: an OEM manages its app users (docs/oioi.md, "OEM app users"). The wire's
`user` object becomes an app user here, through app_users.selectors; the rules live in
app_users.services.
"""

from decimal import Decimal

from app_users import selectors, services
from oioi.registry import Outcome, register
from oioi.serializers import TimestampField
from oioi.serializers.users import (
    UserCallSerializer,
    UserChangePasswordSerializer,
    UserEvcoIdSerializer,
    UserGetRecentStationsSerializer,
    UserPostDetailsSerializer,
    UserRegisterSerializer,
    UserResetSerializer,
    UserRfidSerializer,
    UserVerifySerializer,
)
from partners.models import Role

OEM = [Role.OEM]
timestamp = TimestampField().to_representation
ADDRESS_MEMBERS = ("street", "street_number", "zip", "city", "country")
DETAIL_MEMBERS = (
    "first_name",
    "last_name",
    "address",
    "billing_name",
    "billing_address",
    "locale",
    "vat",
    "social_security_number",
    "evco_id",
    "phone",
    "company_name",
)


def identify(call):
    """The app user the call's `user` object names, its token's use recorded."""
    user = call.data["user"]
    identified = selectors.app_user_identify(
        call.partner, user["identifier_type"], user["identifier"], user["token"]
    )
    services.app_user_token_touch(identified.token)
    return identified


def signed_in(sign_in):
    return Outcome(members={"user": {"token": sign_in.token, "evco-id": sign_in.evco_id}})


@register("user-register", serializer=UserRegisterSerializer, roles=OEM)
def user_register(call):
    data = call.data
    return signed_in(
        services.app_user_register(
            call.partner,
            username=data["username"],
            email=data["email"],
            password=data["password"],
            language=data["language"],
            receive_newsletters=data["receive_newsletters"],
        )
    )


# Not atomic: a failed attempt is counted although the call is refused.
@register("user-verify", serializer=UserVerifySerializer, roles=OEM, atomic=False)
def user_verify(call):
    data = call.data
    return signed_in(
        services.app_user_verify(
            call.partner,
            login=data["username"],
            password=data["password"],
            is_token=data["is_token"],
            language=data["language"],
        )
    )


@register("user-logout", serializer=UserCallSerializer, roles=OEM)
def user_logout(call):
    services.app_user_token_revoke(identify(call).token)
    return Outcome()


@register("user-reset", serializer=UserResetSerializer, roles=OEM)
def user_reset(call):
    services.app_user_reset_request(call.partner, call.data["identifier"])
    return Outcome()


@register("user-change-password", serializer=UserChangePasswordSerializer, roles=OEM, atomic=False)
def user_change_password(call):
    data = call.data
    services.app_user_change_password(
        call.partner,
        login=data["username"],
        current_password=data["current_password"],
        new_password=data["new_password"],
    )
    return Outcome()


@register("user-post-details", serializer=UserPostDetailsSerializer, roles=OEM)
def user_post_details(call):
    user = identify(call).user
    details = call.data.get("details", call.data["user"].get("details"))
    services.app_user_details_update(user, details)
    return Outcome()


def _wire(value, members):
    if value is None:
        return None
    return {name.replace("_", "-"): value.get(name) for name in members}


@register("user-get-details", serializer=UserCallSerializer, roles=OEM, atomic=False)
def user_get_details(call):
    user = identify(call).user
    details = {**user.details, "locale": user.language or None, "evco_id": user.contract.evco_id}
    wire = {name.replace("_", "-"): details.get(name) for name in DETAIL_MEMBERS}
    for name in ("address", "billing-address"):
        wire[name] = _wire(wire[name], ADDRESS_MEMBERS)
    return Outcome(members={"user": wire})


@register("user-add-rfid", serializer=UserRfidSerializer, roles=OEM)
def user_add_rfid(call):
    services.app_user_rfid_add(identify(call).user, call.data["rfid"])
    return Outcome()


@register("user-block-rfid", serializer=UserRfidSerializer, roles=OEM)
def user_block_rfid(call):
    services.app_user_rfid_block(identify(call).user, call.data["rfid"], blocked=True)
    return Outcome()


@register("user-unblock-rfid", serializer=UserRfidSerializer, roles=OEM)
def user_unblock_rfid(call):
    services.app_user_rfid_block(identify(call).user, call.data["rfid"], blocked=False)
    return Outcome(members={"user-unblock-rfid": {"success": True}})


@register("user-get-charging-keys", serializer=UserCallSerializer, roles=OEM, atomic=False)
def user_get_charging_keys(call):
    keys = selectors.app_user_charging_keys(identify(call).user)
    return Outcome(
        members={
            "user": {
                "charging-keys": [
                    {"uid": key.uid, "evco-id": key.contract.evco_id, "state": key.state}
                    for key in keys
                ]
            }
        }
    )


@register("user-charging-key-activate", serializer=UserEvcoIdSerializer, roles=OEM)
def user_charging_key_activate(call):
    services.app_user_contract_activate(identify(call).user, call.data["evco_id"], active=True)
    return Outcome()


@register("user-charging-key-deactivate", serializer=UserEvcoIdSerializer, roles=OEM)
def user_charging_key_deactivate(call):
    services.app_user_contract_activate(identify(call).user, call.data["evco_id"], active=False)
    return Outcome()


def _one_line_address(station, cdr):
    if station is None:
        return cdr.station_city or None
    street = " ".join(part for part in (station.street, station.street_number) if part)
    place = " ".join(part for part in (station.zip_code, station.city) if part)
    return ", ".join(part for part in (street, place, station.country) if part) or None


def _cost(amount):
    """A decimal string with at least the cents, as the docs' `"3.76"`: `4.2000` is `4.20`."""
    if amount is None:
        return None
    amount = amount.normalize()
    if amount.as_tuple().exponent > -2:
        amount = amount.quantize(Decimal("0.01"))
    return f"{amount:f}"


def _interval(start, end):
    return {"start": timestamp(start), "end": timestamp(end)}


@register("user-get-recent-sessions", serializer=UserCallSerializer, roles=OEM, atomic=False)
def user_get_recent_sessions(call):
    sessions = []
    for cdr in selectors.app_user_recent_sessions(identify(call).user):
        remote = cdr.charging_session
        sessions.append(
            {
                "request-sent": timestamp(remote.requested_at) if remote else None,
                "connector-id": cdr.connector_id,
                "charging-station-id": cdr.station_id,
                "session-interval": _interval(cdr.session_start, cdr.session_stop),
                "charging-interval": _interval(cdr.charging_start, cdr.charging_stop),
                "energy-consumed": float(cdr.energy_kwh) if cdr.energy_kwh is not None else None,
                "cost": _cost(cdr.cost_amount),
                "currency": cdr.cost_currency or None,
                "external-session-id": cdr.session_id,
                "address": _one_line_address(cdr.station, cdr),
            }
        )
    return Outcome(members={"user": {"sessions": sessions}})


def _owner_type(station):
    company = station.owner_company or station.operator_company
    return company.type if company else None


@register(
    "user-get-recent-stations",
    serializer=UserGetRecentStationsSerializer,
    roles=OEM,
    atomic=False,
)
def user_get_recent_stations(call):
    stations = selectors.app_user_recent_stations(identify(call).user, call.data["limit"])
    return Outcome(
        members={
            "user": {
                "stations": [
                    {
                        "id": station.pk,
                        "name": station.name,
                        "latitude": station.latitude,
                        "longitude": station.longitude,
                        "dynamic-status-summary": summary,
                        "owner-type": _owner_type(station),
                    }
                    for station, summary in stations
                ]
            }
        }
    )
