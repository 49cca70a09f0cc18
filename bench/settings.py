"""The production settings with the benchmark's baseline view added to the URLs."""

from oioi_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
