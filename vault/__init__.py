"""Encryption at rest: a master key (vault/master.py) wraps one data key per user, which seals that
user's sensitive fields (vault/sealing.py). Imports nothing of graph/, storage/, schema/ or resolvers/,
so both graph/ and resolvers/ may use it."""
