from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    """Stable pages over lists that grow while a partner pages through them."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 1000
