"""Authentication: who a request is, and whether what it sent still holds.

Passwords (passwords.py), session tokens (tokens.py) and API keys (keys.py). It reads and writes
accounts through graph/ (users.py, api_keys.py) and caches through storage/; it never imports schema/
or resolvers/, which call it.
"""
