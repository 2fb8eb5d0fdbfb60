"""Accounts: signing up, logging in and out, the viewer, and API keys."""

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from email_validator import EmailNotValidError, validate_email

from auth import keys, passwords, tokens
from auth.scopes import FULL, Scope
from auth.state import forget_key, remember_seen, remember_user
from errors import BadUserInput, Forbidden, NotFound, RateLimited, Unauthenticated
from graph import api_keys, erasure, sessions, users
from graph.events import acting_as
from graph.refs import Ref
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

PASSWORD_MIN = 10
# argon2 reads all of a password: a bound keeps one logIn from costing the server more than any other.
PASSWORD_MAX = 1024
NAME_MAX = 100
KEY_NAME_MAX = 100
KEY_DAYS_MAX = 3650
# A User-Agent header is the client's to fill: what a session keeps of it is bounded.
USER_AGENT_MAX = 300
KEYS_OLDEST_FIRST = (Order("created_at"),)
# Control characters, lone surrogates (not text at all) and line or paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


async def sign_up(context: Context, email: str, password: str, name: str) -> dict[str, Any]:
    email = _normalized_email(email)
    await _limit_attempts(context, email)
    name = _name(name, "name", NAME_MAX)
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX or _has_surrogate(password):
        raise BadUserInput(
            f"Choose a password of {PASSWORD_MIN} to {PASSWORD_MAX} characters.", field="password"
        )
    password_hash = await passwords.hash_password(password)
    uid = str(uuid4())
    token, session = _new_session(context, uid, generation=0)
    user = dict(uid=uid, email=email, name=name, password_hash=password_hash)
    with acting_as(str(Ref("Session", session["uid"]))):
        created = await context.graph.write(sessions.sign_up, user=user, session=session)
    await remember_seen(context.auth_cache, session["uid"])
    return {"token": token, "user": created}


async def log_in(context: Context, email: str, password: str) -> dict[str, Any]:
    email = _normalized_email(email)
    await _limit_attempts(context, email)
    if len(password) > PASSWORD_MAX or _has_surrogate(password):
        raise Unauthenticated("Wrong email or password.")  # no account has such a password
    account = await context.graph.read(users.credentials_by_email, email)
    password_hash = account["password_hash"] if account else None
    if not await passwords.verify_password(password_hash, password) or account is None:
        raise Unauthenticated("Wrong email or password.")
    status = account["user"]["status"]
    if status != "active":  # told only to whoever knows the password
        raise Forbidden(f"This account is {status}.", status=status)
    if passwords.needs_rehash(account["password_hash"]):
        rehashed = await passwords.hash_password(password)
        await context.graph.write(users.set_password_hash, account["user"]["uid"], rehashed)
    user = account["user"]
    token, session = _new_session(context, user["uid"], generation=account["generation"])
    with acting_as(str(Ref("Session", session["uid"]))):
        await context.graph.write(sessions.start, owner=user["uid"], **session)
    await remember_seen(context.auth_cache, session["uid"])
    return {"token": token, "user": user}


async def log_out(context: Context) -> bool:
    """Ends the session token of this request; other sessions and API keys go on."""
    session = context.session
    assert session.expires_at is not None  # every session token expires
    state = await context.graph.write(
        sessions.log_out, uid=session.user_uid, jti=session.credential_id, expires_at=session.expires_at
    )
    return await _remember(context, session.user_uid, state)


async def log_out_everywhere(context: Context) -> bool:
    """Ends every session token of the viewer, this one included; API keys are revoked one by one."""
    session = context.session
    state = await context.graph.write(sessions.log_out_everywhere, session.user_uid)
    return await _remember(context, session.user_uid, state)


async def delete_account(context: Context, password: str) -> bool:
    """Marks the viewer's account for erasure once the password is confirmed: every token and key of it
    is refused from now on, its live subscriptions end at their next credential check, and the erasure
    of everything of it runs in the background (dispatch/erasure.py), to the end even across a crash."""
    uid = context.session.user_uid
    account = await context.graph.read(users.user_by_uid, uid)
    if account is None:
        raise Unauthenticated("This account no longer exists.")
    await _limit_attempts(context, account["email"])
    credentials = await context.graph.read(users.credentials_by_email, account["email"])
    password_hash = credentials["password_hash"] if credentials else None
    if len(password) > PASSWORD_MAX or not await passwords.verify_password(password_hash, password):
        raise BadUserInput("The password is wrong: nothing was deleted.", field="password")
    state = await context.graph.write(erasure.begin, uid)
    return await _remember(context, uid, state)


async def me(context: Context) -> dict[str, Any]:
    user = await context.graph.read(users.user_by_uid, context.viewer)
    if user is None:
        raise Unauthenticated("This account no longer exists.")
    return user


async def users_by_uids(context: Context, uids: list[str]) -> list[dict[str, Any] | None]:
    """The viewer's own account where its uid is asked for; None for every other user."""
    viewer = context.viewer
    found = await context.graph.read(users.users_by_uids, [uid for uid in uids if uid == viewer])
    return _in_order(uids, found)


async def create_api_key(
    context: Context, name: str, expires_in_days: int | None, scope: Scope = FULL
) -> dict[str, Any]:
    owner = context.session.user_uid
    if scope.kinds is not None and not scope.kinds:
        message = "Name at least one kind the key may read (or leave kinds out for every kind)."
        raise BadUserInput(message, field="kinds")
    name = _name(name, "name", KEY_NAME_MAX)
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= KEY_DAYS_MAX:
            raise BadUserInput(f"expiresInDays must be 1 to {KEY_DAYS_MAX}.", field="expiresInDays")
        expires_at = datetime.now(UTC) + timedelta(days=expires_in_days)
    key, key_hash, prefix = keys.new_api_key()
    record = await context.graph.write(
        api_keys.create_api_key,
        owner=owner,
        uid=str(uuid4()),
        name=name,
        key_hash=key_hash,
        prefix=prefix,
        expires_at=expires_at,
        scope=scope.row(),
    )
    return {"key": key, "api_key": record}


async def api_keys_page(
    context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs
) -> Paged:
    """A page of the viewer's API keys: all of them (the list takes no filter, so `where` is empty)."""
    owner = context.viewer
    keyset = args.page(orders, api_keys.SORTS, context.settings.max_page_size)
    rows = await context.graph.read(api_keys.page, owner=owner, page=keyset)

    async def total() -> int:
        return await context.graph.read(api_keys.count, owner=owner)

    return rows, total


async def api_keys_by_uids(context: Context, uids: list[str]) -> list[dict[str, Any] | None]:
    found = await context.graph.read(api_keys.by_uids, owner=context.viewer, uids=uids)
    return _in_order(uids, found)


async def revoke_api_key(context: Context, uid: str) -> dict[str, Any]:
    owner = context.session.user_uid
    revoked = await context.graph.write(api_keys.revoke_api_key, owner=owner, uid=uid)
    if revoked is None:
        raise NotFound("No API key of yours has this id.")
    await forget_key(context.auth_cache, revoked["hash"])
    return revoked["key"]


def _new_session(context: Context, user_uid: str, *, generation: int) -> tuple[str, dict[str, Any]]:
    """A session token for the user, and what its Session records: named by the token's id, from
    where and with what it was asked for, until when."""
    settings = context.settings
    token = tokens.issue_token(user_uid, generation, settings.signing_secret, settings.token_ttl_seconds)
    claims = tokens.token_claims(token, settings.signing_secret)
    connection = context.connection
    user_agent = connection.headers.get("user-agent") if connection is not None else None
    client = connection.client if connection is not None else None
    session = {
        "uid": claims.token_id,
        "user_agent": _printable(user_agent, USER_AGENT_MAX),
        "address": client.host if client is not None else None,
        "credential": "password",
        "expires_at": claims.expires_at,
    }
    return token, session


def _printable(value: str | None, max_length: int) -> str | None:
    """What a client sent about itself, kept to printable characters and a bound."""
    if value is None:
        return None
    return "".join(char for char in value if not _refused(char))[:max_length] or None


async def _remember(context: Context, uid: str, state: dict[str, Any] | None) -> bool:
    await remember_user(context.auth_cache, uid, state)
    if state is None:
        raise Unauthenticated("This account no longer exists.")
    return True


async def _limit_attempts(context: Context, email: str) -> None:
    """Counts a logIn or signUp against its email address, whichever client address it comes from: a
    password guessed from many addresses, or emails tried for sign-up, are slowed to this pace."""
    if context.rate_limits is None:
        return
    wait = await context.rate_limits.hit(context.settings.rate_limit_per_email, "email", email)
    if wait is not None:
        if context.response is not None:
            context.response.headers["retry-after"] = str(int(wait + 0.999))
        raise RateLimited(
            f"Too many attempts for this email address: try again in {wait:.0f} s.",
            retryAfterSeconds=round(wait),
        )


def _normalized_email(email: str) -> str:
    if _has_surrogate(email) or any(_refused(char) for char in email.strip()):
        raise BadUserInput("This is not a valid email address.", field="email")
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise BadUserInput(f"This is not a valid email address: {error}", field="email") from error
    # One account per mailbox, however its letters are cased.
    return address.lower()


def _name(value: str, field: str, max_length: int) -> str:
    value = value.strip()
    if not 1 <= len(value) <= max_length:
        raise BadUserInput(f"{field} must be 1 to {max_length} characters.", field=field)
    if any(_refused(char) for char in value):
        raise BadUserInput(f"{field} may not hold control characters.", field=field)
    return value


def _refused(char: str) -> bool:
    return unicodedata.category(char) in _REFUSED_CATEGORIES


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in value)


def _in_order(uids: list[str], rows: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    by_uid = {row["uid"]: row for row in rows}
    return [by_uid.get(uid) for uid in uids]
