"""Periodic jobs of the client exchange (see core.schedule)."""

from clients import services
from core.schedule import every


@every(seconds=30)
def push_offline_whitelists():
    services.offline_whitelists_push()
