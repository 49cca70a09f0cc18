"""
What the client exchange announces to whoever registered for it (the protocols, in their
``ready()``).

Each is sent inside the transaction that made the change, so a receiver's writes (a queued
delivery) commit with it, or roll back with it.
"""

from django.dispatch import Signal

# An offline-authorizing CPO's copy of the whitelist is due: the complete list changed and the
# change settled, or the interval since its last copy passed (``services.offline_whitelists_push``,
# run every 30 seconds). Sent at most once per CPO per run, inside the transaction that records
# the copy as sent. Arguments: ``partner``, the CPO; ``uids``, the complete list, sorted;
# ``fingerprint``, a digest of that list (the same list, the same fingerprint); ``now``, the
# run's time. The protocols send the CPO the list.
offline_whitelist_due = Signal()
