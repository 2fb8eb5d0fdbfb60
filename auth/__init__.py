"""Authentication: whose a request is, and whether what it sent still holds.

passwords.py (argon2id), tokens.py (signed session tokens), keys.py (API keys), state.py (the auth state
a credential is checked against, cached) and viewer.py (the credential of a request's `Authorization`,
and whether it still holds). It reads and writes accounts through graph/ (users.py, api_keys.py) and
caches through storage/; it never imports schema/ or resolvers/, which call it.
"""
