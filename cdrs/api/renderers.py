"""`text/csv` for the CDR list: it is streamed by the view (see cdrs.exports), not rendered here."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from cdrs.exports import cell


class CSVRenderer(BaseRenderer):
    """
    Selects CSV for `?format=csv` or `Accept: text/csv`. The list streams its rows itself; what
    reaches this renderer is one object or an error, written as a header row and a value row.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if not isinstance(data, dict):
            data = {"detail": data}
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(data.keys())
        writer.writerow(
            [
                cell(value if not isinstance(value, list) else "; ".join(map(str, value)))
                for value in data.values()
            ]
        )
        return buffer.getvalue().encode()
