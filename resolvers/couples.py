"""Couples: invites by one-time code, accepting, declining and leaving, linking a person to the
partner's account, and sharing a node with the couple (graph/couples.py)."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any
from uuid import uuid4

from errors import BadUserInput, NotShareable
from graph import couples
from graph.kinds import BY_LABEL
from resolvers.context import Context

# How long an invite's code is accepted: a day, once.
INVITE_TTL = timedelta(hours=24)
CODE_MAX = 100


def code_hash(code: str) -> str:
    """What is stored of a code: its SHA-256 (a code is 128 random bits: no salt or slow hash needed)."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _checked_code(code: str) -> str:
    if not 1 <= len(code.strip()) <= CODE_MAX:
        raise BadUserInput("code must be the invite code your partner gave you.", field="code")
    return code_hash(code)


async def invite(context: Context) -> dict[str, Any]:
    """A new invite: its code (returned this once, stored only hashed) and when it expires."""
    code = secrets.token_urlsafe(16)
    made = await context.graph.write(
        couples.invite,
        owner=context.viewer,
        uid=str(uuid4()),
        code_hash=code_hash(code),
        ttl_seconds=int(INVITE_TTL.total_seconds()),
    )
    return {"code": code, "expires_at": made["expires_at"]}


async def accept(context: Context, code: str) -> dict[str, Any] | None:
    hashed = _checked_code(code)
    await context.graph.write(couples.accept, owner=context.viewer, code_hash=hashed, uid=str(uuid4()))
    return await couple(context)


async def decline(context: Context, code: str) -> bool:
    await context.graph.write(couples.decline, owner=context.viewer, code_hash=_checked_code(code))
    return True


async def leave(context: Context) -> bool:
    await context.graph.write(couples.leave, owner=context.viewer)
    return True


async def couple(context: Context) -> dict[str, Any] | None:
    return await context.graph.read(couples.view, owner=context.viewer)


async def link_partner(context: Context, recipient: str) -> dict[str, Any] | None:
    await context.graph.write(couples.link_partner, owner=context.viewer, recipient=recipient)
    return await couple(context)


async def share(context: Context, label: str, uid: str, shared: bool) -> bool:
    """Shares (or stops sharing) one of the viewer's nodes with their couple: a kind declared
    shareable only (graph/kinds.py), else NotShareable."""
    kind = BY_LABEL.get(label)
    if kind is None or not kind.shareable:
        kinds = ", ".join(sorted(k.label for k in couples.SHAREABLE))
        raise NotShareable(f"A {label} is never shared: only a {kinds} may be.", field="nodeId")
    return await context.graph.write(couples.share, kind, owner=context.viewer, uid=uid, shared=shared)
