"""
The OpenAPI description of the API key scheme. It belongs with ``oioi_portal.authentication``
and lives here only because this change may not touch the core; move it there when convenient.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "oioi_portal.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`key=<prefix>.<secret>`, the same key as on the OIOI endpoint.",
        }
