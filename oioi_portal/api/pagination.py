from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    """Stable pages over lists that grow while a partner pages through them."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        # A malformed page size is the client's mistake to hear about, not to be ignored.
        value = request.query_params.get(self.page_size_query_param, "")
        if value and not (value.isdigit() and int(value) > 0):
            raise ValidationError({self.page_size_query_param: ["A positive whole number."]})
        return super().get_page_size(request)
