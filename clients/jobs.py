"""Periodic jobs of the client exchange (see oioi_portal.schedule)."""

from clients import services
from oioi_portal.schedule import every


@every(seconds=30)
def push_offline_whitelists():
    services.offline_whitelists_push()
