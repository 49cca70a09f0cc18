from rest_framework.filters import BaseFilterBackend


class PartnerScopeFilterBackend(BaseFilterBackend):
    """
    Restricts every REST queryset to the caller's partner. It is a default filter backend,
    so no viewset can forget it; a viewset says how its model reaches a partner by
    defining ``partner_scope(queryset, partner)`` (PartnerScopedViewSet's applies the model's
    ``for_partner``). Viewsets without it are refused rather than left unscoped.
    """

    def filter_queryset(self, request, queryset, view):
        scope = getattr(view, "partner_scope", None)
        if scope is None:
            raise NotImplementedError(f"{type(view).__name__} defines no partner_scope().")
        return scope(queryset, request.user)
