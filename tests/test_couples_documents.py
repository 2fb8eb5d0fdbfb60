"""A shared document's passages, searched by the partner: found by their words and their meaning while
the document is shared (whether it was shared before or after its text was read), found no more once it
is unshared, deleted or the couple ends; a document never shared, and anything of either for a
stranger, is never found."""

from typing import Any

from bench.pdfs import pdf as pdf_of
from graph.search import DOCUMENT_KIND
from tests.test_couples import LEAVE, SHARE, UNSHARE, couple_of_two
from tests.test_documents import DELETE, Instance, upload
from tests.test_documents import kindred as kindred  # the fixture: an app with its blobs and dispatcher
from tests.test_recipients import create as create_recipient

SEARCH = """query ($q: String!, $minScore: Float) {
  search(query: $q, kinds: [DOCUMENT], minScore: $minScore) {
    node { id } matched { words signals } chunk { text page document { id } } } }"""
BUSY = 300.0  # seconds a drain may take: PDFs are read in child processes, on a shared machine
QUINCE = ("Care notes: blood pressure tablets with breakfast.", "Her favourite: quince jam on rye bread.")
KAYAK = ("Weekend plans.", "He paddles his kayak across the fjord every Saturday morning.")
ORCHID = ("Private notes.", "The orchid nursery bill is due on Friday.")


async def pdf(k: Instance, token: str, name: str, pages: tuple[str, ...]) -> str:
    """A PDF profile of a new person of the viewer's: its document's id."""
    person = (await create_recipient(k.client, token, f"Person of {name}"))["id"]
    made = await upload(k.http, token, person, "PROFILE", name, pdf_of(*pages), "application/pdf")
    return str(made.json()["data"]["uploadDocument"]["id"])


async def found(k: Instance, token: str, query: str, min_score: float | None = None) -> dict[str, Any]:
    """The documents found, by id: each with its best passage's hit."""
    data = await k.client.data(SEARCH, {"q": query, "minScore": min_score}, token=token)
    hits: dict[str, Any] = {}
    for hit in data["search"]:
        hits.setdefault(hit["node"]["id"], hit)
    return hits


async def test_a_shared_documents_passages_are_found_by_the_partner_until_it_is_unshared(
    kindred: Instance,
) -> None:
    k = kindred
    ann, ben, cat = await couple_of_two(k.client, "passages")
    quince = await pdf(k, ann, "quince.pdf", QUINCE)
    await k.client.data(SHARE, {"id": quince}, token=ann)  # shared before its text is read
    orchid = await pdf(k, ann, "orchid.pdf", ORCHID)  # never shared
    kayak = await pdf(k, ben, "kayak.pdf", KAYAK)
    await k.dispatcher.drain(BUSY)
    await k.client.data(SHARE, {"id": kayak}, token=ben)  # shared once its text was read
    await k.dispatcher.drain(BUSY)

    # Each finds the other's shared passages by their words, with the page they are on ...
    hit = (await found(k, ben, "quince jam"))[quince]
    assert hit["chunk"]["page"] == 2 and hit["chunk"]["document"]["id"] == quince
    assert "quince" in hit["matched"]["words"] and "WORDS" in hit["matched"]["signals"]
    hit = (await found(k, ann, "kayak fjord"))[kayak]
    assert hit["chunk"]["page"] == 2 and "kayak" in hit["chunk"]["text"]
    # ... and by their meaning, with no word in common (the passages' couple points).
    hit = (await found(k, ben, "marmalade on toast is what she loves most", 0.0))[quince]
    assert hit["matched"]["signals"] == ["MEANING"] and hit["matched"]["words"] == []
    hit = (await found(k, ann, "canoeing on the water each week", 0.0))[kayak]
    assert hit["matched"]["signals"] == ["MEANING"] and hit["matched"]["words"] == []
    # Each author still finds their own; nobody but Ann finds what she never shared.
    assert quince in await found(k, ann, "quince jam") and kayak in await found(k, ben, "kayak fjord")
    assert orchid in await found(k, ann, "orchid nursery bill")
    assert orchid not in await found(k, ben, "orchid nursery bill", 0.0)
    # The stranger finds nothing of either, however low the floor.
    for query in ("quince jam", "kayak fjord", "orchid nursery bill", "bread"):
        assert await found(k, cat, query, 0.0) == {}

    # Unshared, its passages are found by its author alone again.
    await k.client.data(UNSHARE, {"id": quince}, token=ann)
    await k.dispatcher.drain(BUSY)
    assert quince not in await found(k, ben, "quince jam", 0.0)
    assert quince not in await found(k, ben, "marmalade on toast is what she loves most", 0.0)
    assert quince in await found(k, ann, "quince jam")
    # Once the couple ends, neither finds the other's passages.
    await k.client.data(LEAVE, token=ann)
    await k.dispatcher.drain(BUSY)
    assert kayak not in await found(k, ann, "kayak fjord", 0.0)
    assert kayak not in await found(k, ann, "canoeing on the water each week", 0.0)
    assert kayak in await found(k, ben, "kayak fjord")


async def test_a_deleted_shared_document_is_found_by_neither(kindred: Instance) -> None:
    k = kindred
    ann, ben, _ = await couple_of_two(k.client, "passages-deleted")
    quince = await pdf(k, ann, "quince.pdf", QUINCE)
    await k.dispatcher.drain(BUSY)
    await k.client.data(SHARE, {"id": quince}, token=ann)
    await k.dispatcher.drain(BUSY)
    assert quince in await found(k, ben, "quince jam")
    points = await k.vectors.count(DOCUMENT_KIND)
    await k.client.data(DELETE, {"id": quince}, token=ann)
    assert quince not in await found(k, ben, "quince jam", 0.0)  # out of sight at once
    await k.dispatcher.drain(BUSY)
    assert await found(k, ben, "quince jam", 0.0) == {} and await found(k, ann, "quince jam", 0.0) == {}
    # Its passages' points are gone, their couple points with them (two passages: 2 + 2 points).
    assert await k.vectors.count(DOCUMENT_KIND) == points - 4
