"""
What the clients domain announces, for the protocols to pass on. Each signal is sent inside the
transaction of the change it announces, so what a receiver writes (a delivery it queues)
commits or rolls back with that change.
"""

from django.dispatch import Signal

# Fleet cards took statuses their fleet must hear of (docs/oioi.md, "Fleet cards").
# Arguments: ``fleet``, the fleet Partner; ``changes``, a list of clients.fleet.FleetCardChange
# in the order they happened (a card may have several: REQUEST_RECEIVED, then OPERATIONAL).
fleet_card_status_changed = Signal()
