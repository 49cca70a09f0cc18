from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.renderers import JSONRenderer

from cdrs import exports, selectors
from cdrs.api.renderers import CSVRenderer
from cdrs.api.serializers import CDRSerializer
from cdrs.filtersets import CDRFilterSet
from cdrs.models import CDR
from core.api.pagination import DefaultCursorPagination
from partners.api.views import PartnerScopedViewSet


class CDRSyncPagination(DefaultCursorPagination):
    """
    Oldest change first, so that paging through `updated_since` never misses a CDR: one that
    changes meanwhile moves to the end of the list and is met again.
    """

    ordering = ("updated_at", "id")


class CDRViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """
    The CDRs you posted with session-post, and the final CDRs of your customers that we forwarded
    to you. Page with the cursor; sync incrementally with `updated_since`.
    """

    queryset = CDR.objects.select_related("cpo", "recipient")
    serializer_class = CDRSerializer
    filterset_class = CDRFilterSet
    pagination_class = CDRSyncPagination

    def get_renderers(self):
        # Only the list exports as CSV; one CDR, or an error about it, is JSON.
        if self.action == "list":
            return [JSONRenderer(), CSVRenderer()]
        return [JSONRenderer()]

    def partner_scope(self, queryset, partner):
        return selectors.cdr_customer_shown(queryset.for_partner(partner), partner)

    def wants_csv(self):
        return self.request.accepted_renderer.format == CSVRenderer.format

    def handle_exception(self, exc):
        # An error is no export: it is answered in JSON, as documented, whatever was asked for.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description="`csv` (or `Accept: text/csv`) streams the whole filtered list as "
                "CSV, unpaginated: those you posted, then those forwarded to you, each oldest "
                "change first.",
            )
        ],
        responses={
            200: CDRSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV export."),
        },
    )
    def list(self, request, *args, **kwargs):
        if self.wants_csv():
            # The partner's two lists one after the other, each scoped by the selector and
            # filtered by the FilterSet: memory stays flat whatever the number of rows.
            filters = DjangoFilterBackend()
            shown = selectors.cdr_customer_shown(self.get_queryset(), request.user)
            parts = selectors.cdr_export_parts(request.user, shown)
            return exports.csv_response(
                [filters.filter_queryset(request, part, self) for part in parts]
            )
        return super().list(request, *args, **kwargs)
