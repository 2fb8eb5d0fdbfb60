"""A kind's sensitive fields (graph/kind.py's `sensitive`): sealed with the viewer's data key before a
write, opened for the viewer (their owner: every read is the viewer's own) when a field asks for them.

The data key is made on the first write of a sensitive field, kept wrapped by the master key (vault/) on
the User node, and unwrapped at most once per request."""

from typing import Any

from errors import BadUserInput, KindredError
from graph import data_keys
from graph.kind import Kind
from resolvers import checks
from resolvers.context import Context
from vault import master, sealing

MAX_LENGTH = 10_000  # characters of one sensitive text


class SealedUnreadable(KindredError):
    """A sealed value whose data key is gone (the account's key was deleted) or that was altered."""

    code = "SEALED_UNREADABLE"


where = sealing.field_where
key_where = sealing.key_where


async def seal(context: Context, kind: Kind, uid: str, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with each sensitive field given sealed (checked first: text, at most MAX_LENGTH)."""
    given = [name for name in kind.sensitive if values.get(name) is not None]
    if not given:
        return values
    sealed = dict(values)
    for name in given:
        if not isinstance(sealed[name], str):
            raise BadUserInput(f"{checks.camel(name)} must be text.", field=checks.camel(name))
        text = checks.text(sealed[name], name, MAX_LENGTH, lines=True)
        sealed[name] = text  # checked before any key is made
    key_id, key = await _data_key(context, create=True)
    assert key_id is not None and key is not None
    for name in given:
        sealed[name] = sealing.seal(sealed[name], key_id, key, where(context.viewer, kind.label, uid, name))
    return sealed


async def opened(context: Context, label: str, uid: str, name: str, value: Any) -> str | None:
    """The text of a sensitive field of the viewer's node (None stays None)."""
    if value is None:
        return None
    if not sealing.is_sealed(value):  # never sealed (written before the field was sensitive)
        return str(value)
    key_id, key = await _data_key(context, create=False)
    try:
        return sealing.open_sealed(value, key_id, key, where(context.viewer, label, uid, name))
    except sealing.Unreadable as error:
        raise SealedUnreadable(str(error)) from error


async def _data_key(context: Context, *, create: bool) -> tuple[str | None, bytes | None]:
    """The viewer's data key (id, key), unwrapped once per request; made first when `create`."""
    kept = context.data_key
    if kept is not None:
        return kept
    owner = context.viewer
    stored = await context.graph.read(data_keys.data_key, owner)
    if stored is None and create:
        key_id, key = sealing.new_data_key()
        wrapped = master.ring(context.settings.data_dir).wrap(key, key_where(owner, key_id))
        stored = await context.graph.write(data_keys.keep_data_key, owner, key_id, wrapped)
    if stored is None:
        return None, None  # no key: whatever is sealed for this user cannot be opened
    key_id, wrapped = stored
    try:
        key = master.ring(context.settings.data_dir).unwrap(wrapped, key_where(owner, key_id))
    except sealing.Unreadable:  # wrapped by a newer master key than this process read: read it again
        try:
            key = master.ring(context.settings.data_dir, fresh=True).unwrap(wrapped, key_where(owner, key_id))
        except sealing.Unreadable as error:
            raise SealedUnreadable(str(error)) from error
    context.data_key = (key_id, key)
    return key_id, key


async def set_show_sensitive(context: Context, show: bool) -> bool:
    return await context.graph.write(data_keys.set_show_sensitive, context.viewer, show)
