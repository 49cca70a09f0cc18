"""Static files storage that never turns a page into a 500 for want of ``collectstatic``."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class FallbackManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """
    Hashed, compressed names from the manifest once ``collectstatic`` has run; before it (a fresh
    checkout) or for a file added since, the file's own name, which WhiteNoise serves from its
    app's folder (``WHITENOISE_USE_FINDERS``).
    """

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
