"""Descriptions of a domain's fields, written once and given to its type and its inputs alike."""

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.types.field import StrawberryField

T = TypeVar("T")


def described(descriptions: Mapping[str, str]) -> Callable[[type[T]], type[T]]:
    """Gives each plain annotated field of the class the description of its name (apply it beneath
    `@strawberry.type` or `@strawberry.input`); fields declared with strawberry.field keep theirs."""

    def apply(cls: type[T]) -> type[T]:
        for name in inspect.get_annotations(cls):
            current = cls.__dict__.get(name, dataclasses.MISSING)
            if isinstance(current, StrawberryField) or name not in descriptions:
                continue
            if name == "id" and issubclass(cls, relay.Node):
                continue  # a node's id is the Node interface's field
            extra: dict[str, Any] = {} if current is dataclasses.MISSING else {"default": current}
            setattr(cls, name, strawberry.field(description=descriptions[name], **extra))
        return cls

    return apply
