"""
What the CDRs announce to whoever registered for it (the protocols, in their ``ready()``).

Each is sent inside the transaction that made the change, so a receiver's writes (a queued
delivery) commit with it, or roll back with it.
"""

from django.dispatch import Signal

# A CDR became final: sent once per CDR, by ``services.cdr_post``, in the transaction whose post
# made it final (a re-post of a final CDR sends nothing). Arguments: ``cdr``, the final CDR;
# its ``recipient`` is the partner whose customer charged, None when none is (the platform's
# customer, an unmatched user). The protocols forward it to that recipient.
cdr_final = Signal()
