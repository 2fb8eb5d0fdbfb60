"""Authentication: who a request is, and whether what it sent still holds.

Passwords (passwords.py), session tokens (tokens.py), API keys (keys.py), and the auth state a
credential is checked against, cached (state.py). It reads and writes
accounts through graph/ (users.py, api_keys.py) and caches through storage/; it never imports schema/
or resolvers/, which call it.
"""
