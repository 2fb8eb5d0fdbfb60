"""The activity log: what a person did, read from the event log (graph/events.py), which already records
every write with who made it (the Session or ApiKey) and the account's own events (signing up, logins,
logouts, keys made and revoked). No second store, and no reads recorded: a read writes nothing to the
graph but a session's or key's last use (at most once a minute, graph/sessions.py's touch).

What is left out: what Kindred learned or laid out by itself (an actor of the system's or a consumer's),
and the changes a partner made to what they share (SharedNodeChanged, written with the partner's actor)."""

from graph.events import (
    API_KEY_REVOKED,
    LOGGED_IN,
    LOGGED_OUT,
    LOGGED_OUT_EVERYWHERE,
    SESSION_ENDED,
    SHARED_NODE_CHANGED,
    USER_SIGNED_UP,
    EventKind,
)
from graph.pages import Condition

WRITE = "write"
# Each type of the account's own activity, and the event kinds it is.
ACCOUNT: dict[str, tuple[str, ...]] = {
    "signed_up": (str(USER_SIGNED_UP),),
    "logged_in": (str(LOGGED_IN),),
    "logged_out": (str(LOGGED_OUT), str(LOGGED_OUT_EVERYWHERE)),
    "session_ended": (str(SESSION_ENDED),),
    "key_created": (str(EventKind.created("ApiKey")),),
    "key_revoked": (str(API_KEY_REVOKED),),
}
_TYPES = {kind: activity for activity, kinds in ACCOUNT.items() for kind in kinds}
_ACCOUNT_KINDS = sorted(_TYPES)
_NOT_ACTIVITY = [str(SHARED_NODE_CHANGED)]

# An account event whoever wrote it (a login has no credential yet), or a write made with a credential.
_ACTIVITY = (
    "(n.kind IN $account_kinds OR ((n.actor STARTS WITH 'Session:' OR n.actor STARTS WITH 'ApiKey:') "
    "AND NOT n.kind IN $not_activity))"
)
_OF_TYPES = "n.kind IN $type_kinds"
_OF_TYPES_OR_WRITES = "(n.kind IN $type_kinds OR NOT n.kind IN $account_kinds)"
# What a credential did: the events it wrote, and those naming it (its login, its end).
_OF_ACTOR = "(n.actor = $actor OR $actor IN n.nodes)"


def type_of(kind: str) -> str:
    """The activity type of an event of this kind."""
    return _TYPES.get(kind, WRITE)


def condition(types: list[str] | None, actor: str | None) -> Condition:
    """The viewer's activity among their events: of these types (every type when None), and of one
    credential ("Session:<uid>" or "ApiKey:<uid>") when given."""
    clauses = [_ACTIVITY]
    params: dict[str, object] = {"account_kinds": _ACCOUNT_KINDS, "not_activity": _NOT_ACTIVITY}
    if types is not None:
        params["type_kinds"] = sorted(kind for activity in types for kind in ACCOUNT.get(activity, ()))
        clauses.append(_OF_TYPES_OR_WRITES if WRITE in types else _OF_TYPES)
    if actor is not None:
        params["actor"] = actor
        clauses.append(_OF_ACTOR)
    return Condition(" AND ".join(clauses), params)
