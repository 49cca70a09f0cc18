import logging


class SuspiciousRequestsAsWarnings(logging.Filter):
    """
    Django logs a request it refuses as suspicious (``django.security.*``: a Host header outside
    ALLOWED_HOSTS, too many fields) at ERROR with a traceback, as if the server had failed. It is
    the client's error, answered with a 400: one WARNING line, and the error log keeps meaning
    that we failed.
    """

    def filter(self, record):
        if record.name.startswith("django.security."):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True
