"""Reading a large queryset row by row for a streamed download."""

from contextlib import nullcontext

from django.db import connections, transaction


def stream_rows(queryset, chunk_size):
    """
    ``queryset.iterator(chunk_size)``, with its first rows read at once on PostgreSQL too.

    Outside a transaction Django declares PostgreSQL's server-side cursor WITH HOLD, and the
    server computes every row of a held cursor when the DECLARE commits: over a million CDRs,
    seconds before the download's first byte. In a transaction the cursor reads as it is
    fetched; a read-only transaction, rolled back if the client goes away mid-download.
    SQLite reads in chunks either way, and its transactions (BEGIN IMMEDIATE here) would keep
    writers out for the length of the download: none there.
    """
    connection = connections[queryset.db]
    hold_free = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(using=queryset.db) if hold_free else nullcontext():
        yield from queryset.iterator(chunk_size=chunk_size)
