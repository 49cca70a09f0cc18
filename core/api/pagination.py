from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from core.filtersets import SQL_INTEGER_RANGE


class DefaultCursorPagination(CursorPagination):
    """
    Stable pages over lists that grow while a partner pages through them. The base of every
    cursor-paged list: a cursor is the client's to send back untouched, and one crafted
    (a position that is no value of the ordering field, or none the database holds) is the
    documented 404 "Invalid cursor", never a failing query.
    """

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        # A malformed page size is the client's mistake to hear about, not to be ignored.
        value = request.query_params.get(self.page_size_query_param, "")
        if value and not (value.isdigit() and int(value) > 0):
            raise ValidationError({self.page_size_query_param: ["A positive whole number."]})
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        position = cursor.position if cursor is not None else None
        if position is not None and not self.position_valid(position):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def position_valid(self, position):
        """The position as the ordering's first field compares it in a query (how we encode it)."""
        field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
        try:
            value = field.to_python(position)
        except (DjangoValidationError, TypeError, ValueError):
            return False
        if isinstance(value, int):
            return SQL_INTEGER_RANGE[0] <= value <= SQL_INTEGER_RANGE[1]
        if isinstance(value, datetime):
            # We write positions with their offset; in UTC a time at the calendar's edge may
            # fall outside it.
            try:
                return value.tzinfo is not None and bool(value.astimezone(UTC))
            except OverflowError:
                return False
        return True
