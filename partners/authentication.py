"""`Authorization: key=<prefix>.<secret>` for the OIOI endpoint and the REST API alike."""

from rest_framework import authentication, exceptions

from core.requests import client_address
from partners.selectors import InvalidApiKey, api_key_get_valid
from partners.services import api_key_touch

KEYWORD = "key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """
    Authenticates a partner's system. ``request.user`` is the Partner, ``request.auth`` the
    ApiKey; the key is also put on the Django request for the audit log (never the secret).
    """

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, equals, plaintext = header.partition("=")
        if scheme.strip().lower() != KEYWORD or not equals:
            raise exceptions.AuthenticationFailed("The Authorization header reads key=<api key>.")
        try:
            api_key = api_key_get_valid(
                plaintext.strip(), client_address=client_address(request._request)
            )
        except InvalidApiKey as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        request._request.api_key = api_key
        api_key_touch(api_key)
        return api_key.partner, api_key

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'
