"""What Kindred writes to be read back by Kindred elsewhere: deltas on pub/sub (deltas.py).

It sits beside dispatch/ and resolvers/, which both use it, and imports nothing of theirs: the writer
and the reader of a form agree on it here, in one place.
"""
