"""What Kindred writes to read back itself, elsewhere or later: deltas on pub/sub (deltas.py), and the
one form of a date or a datetime inside any such JSON (temporal.py: the page cursors' form, used by
the deltas and the auth-state cache).

It sits beside dispatch/, resolvers/ and auth/, which use it, and imports nothing of theirs: the writer
and the reader of a form agree on it here, in one place.
"""
