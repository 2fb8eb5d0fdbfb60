"""Accounts: signing up, logging in, the viewer, and API keys."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from email_validator import EmailNotValidError, validate_email

from errors import BadUserInput, NotFound, Unauthenticated
from graph import api_keys, users
from resolvers import credentials
from resolvers.context import Context

PASSWORD_MIN = 10
PASSWORD_MAX = 1024
NAME_MAX = 100
KEY_NAME_MAX = 100
KEY_DAYS_MAX = 3650


async def sign_up(context: Context, email: str, password: str, name: str) -> dict[str, Any]:
    email = _normalized_email(email)
    name = _required_text(name, "name", NAME_MAX)
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise BadUserInput(
            f"Choose a password of {PASSWORD_MIN} to {PASSWORD_MAX} characters.", field="password"
        )
    password_hash = await credentials.hash_password(password)
    user = await context.graph.write(
        users.create_user, uid=str(uuid4()), email=email, name=name, password_hash=password_hash
    )
    return _session(context, user)


async def log_in(context: Context, email: str, password: str) -> dict[str, Any]:
    account = await context.graph.read(users.credentials_by_email, _normalized_email(email))
    password_hash = account["password_hash"] if account else None
    if not await credentials.verify_password(password_hash, password) or account is None:
        raise Unauthenticated("Wrong email or password.")
    if credentials.needs_rehash(account["password_hash"]):
        rehashed = await credentials.hash_password(password)
        await context.graph.write(users.set_password_hash, account["user"]["uid"], rehashed)
    return _session(context, account["user"])


async def me(context: Context) -> dict[str, Any]:
    user = await context.graph.read(users.user_by_uid, context.viewer)
    if user is None:
        raise Unauthenticated("This account no longer exists.")
    return user


async def create_api_key(context: Context, name: str, expires_in_days: int | None) -> dict[str, Any]:
    name = _required_text(name, "name", KEY_NAME_MAX)
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= KEY_DAYS_MAX:
            raise BadUserInput(f"expiresInDays must be 1 to {KEY_DAYS_MAX}.", field="expiresInDays")
        expires_at = datetime.now(UTC) + timedelta(days=expires_in_days)
    key, key_hash, prefix = credentials.new_api_key()
    record = await context.graph.write(
        api_keys.create_api_key,
        owner=context.viewer,
        uid=str(uuid4()),
        name=name,
        key_hash=key_hash,
        prefix=prefix,
        expires_at=expires_at,
    )
    return {"key": key, "api_key": record}


async def api_keys_of_viewer(context: Context) -> list[dict[str, Any]]:
    return await context.graph.read(api_keys.api_keys_of, context.viewer)


async def revoke_api_key(context: Context, uid: str) -> dict[str, Any]:
    record = await context.graph.write(api_keys.revoke_api_key, owner=context.viewer, uid=uid)
    if record is None:
        raise NotFound("No API key of yours has this id.", id=uid)
    return record


def _session(context: Context, user: dict[str, Any]) -> dict[str, Any]:
    settings = context.settings
    token = credentials.issue_token(user["uid"], settings.signing_secret, settings.token_ttl_seconds)
    return {"token": token, "user": user}


def _normalized_email(email: str) -> str:
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise BadUserInput(f"This is not a valid email address: {error}", field="email") from error
    # One account per mailbox, however its letters are cased.
    return address.lower()


def _required_text(value: str, field: str, max_length: int) -> str:
    value = value.strip()
    if not 1 <= len(value) <= max_length:
        raise BadUserInput(f"{field} must be 1 to {max_length} characters.", field=field)
    return value
