"""
The REST API's OpenAPI document: how to authenticate, and what every operation may answer
besides its 200. Imported by the API's URLs, which registers the authentication scheme.
"""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
    "description": "`detail`, or for invalid filters one list of messages per parameter.",
}

# Answers the viewsets' shared machinery gives (authentication, throttling, filters, lookups).
COMMON_RESPONSES = {
    "400": "A Host header we do not serve, or more query parameters than we read (1000).",
    "401": "Missing, unknown, expired or revoked API key.",
    "429": "Rate limit of the API key reached; see Retry-After.",
}
LIST_RESPONSES = {
    "400": "A filter parameter is malformed (or as for every operation).",
    "404": "An invalid page cursor or an unknown format.",
}
DETAIL_RESPONSES = {"404": "No such object among yours."}


def _response(description):
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def add_error_responses(result, generator, request, public):
    """Document the error answers, and that an empty filter value means no filter."""
    for path, operations in result.get("paths", {}).items():
        is_detail = "{" in path
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            extra = {**COMMON_RESPONSES, **(DETAIL_RESPONSES if is_detail else LIST_RESPONSES)}
            for status, description in extra.items():
                responses.setdefault(status, _response(description))
            for parameter in operation.get("parameters", []):
                # django-filter leaves a filter sent empty (`?since=`) unapplied.
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
    return result
