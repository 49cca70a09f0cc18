"""`text/csv` for the CDR API: what it selects is streamed by the view (see cdrs.exports)."""

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """
    Selects CSV for `?format=csv` or `Accept: text/csv`. It renders nothing itself: the view
    answers CSV with a streamed response, and errors in JSON (see CDRViewSet).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
