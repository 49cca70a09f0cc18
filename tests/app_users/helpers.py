"""App users made as user-register makes them, and the `user` objects naming them."""

from app_users import services
from app_users.models import AppUser

PASSWORD = "a-Str0ng-passw0rd!"


def register(partner_with_key, username="john", email=None, password=PASSWORD, **kwargs):
    """An app user of the partner and its first token: (user, token)."""
    sign_in = services.app_user_register(
        partner_with_key.partner,
        username=username,
        email=email or f"{username}@example.com",
        password=password,
        **kwargs,
    )
    return AppUser.objects.get(oem=partner_with_key.partner, username=username), sign_in.token


def by_username(user, token):
    return {"identifier-type": "username", "identifier": user.username, "token": token}


def by_token(token):
    return {"identifier-type": "token", "identifier": token}
