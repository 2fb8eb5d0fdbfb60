"""The node types of the kinds whose modules refer to each other (a recipient's gifts, a gift's recipients),
and their orders, named lazily: those modules import them from here, so none imports another as it loads.
To mypy they are the types themselves."""

from typing import TYPE_CHECKING, Annotated

import strawberry

__all__ = [
    "Concept",
    "ConceptOrder",
    "Conflict",
    "ConflictOrder",
    "Document",
    "DocumentOrder",
    "Gift",
    "GiftOrder",
    "Memory",
    "MemoryOrder",
    "Occasion",
    "OccasionOrder",
    "Recipient",
    "RecipientOrder",
]

if TYPE_CHECKING:
    from schema.concepts import Concept, ConceptOrder
    from schema.conflicts import Conflict, ConflictOrder
    from schema.documents import Document, DocumentOrder
    from schema.gifts import Gift, GiftOrder
    from schema.memories import Memory, MemoryOrder
    from schema.occasions import Occasion, OccasionOrder
    from schema.recipients import Recipient, RecipientOrder
else:
    Concept = Annotated["Concept", strawberry.lazy("schema.concepts")]
    ConceptOrder = Annotated["ConceptOrder", strawberry.lazy("schema.concepts")]
    Conflict = Annotated["Conflict", strawberry.lazy("schema.conflicts")]
    ConflictOrder = Annotated["ConflictOrder", strawberry.lazy("schema.conflicts")]
    Document = Annotated["Document", strawberry.lazy("schema.documents")]
    DocumentOrder = Annotated["DocumentOrder", strawberry.lazy("schema.documents")]
    Gift = Annotated["Gift", strawberry.lazy("schema.gifts")]
    GiftOrder = Annotated["GiftOrder", strawberry.lazy("schema.gifts")]
    Memory = Annotated["Memory", strawberry.lazy("schema.memories")]
    MemoryOrder = Annotated["MemoryOrder", strawberry.lazy("schema.memories")]
    Occasion = Annotated["Occasion", strawberry.lazy("schema.occasions")]
    OccasionOrder = Annotated["OccasionOrder", strawberry.lazy("schema.occasions")]
    Recipient = Annotated["Recipient", strawberry.lazy("schema.recipients")]
    RecipientOrder = Annotated["RecipientOrder", strawberry.lazy("schema.recipients")]
