"""The model extractor: a chat model behind OpenAI's chat completions API (OpenAI itself, or any server
speaking it through OPENAI_BASE_URL: vLLM, llama.cpp's server, Ollama), asked for a JSON answer.

The model is told the owner's people by name and whom the text's first person is, and answers
{"insights": [{"person", "category", "statement", "claim", "value", "confidence"}]}, "person" being "me"
for a claim about the user themselves (only when the user's own words say it). What it answers is
checked, never trusted: a person who is not one of those named ("me" when the text's first person is not
the user), a category not among CATEGORIES, an empty statement or a value that is not an object drop that
item; a confidence is kept to 0-1.
"""

from collections.abc import Sequence
from typing import Any

from openai import AsyncOpenAI

from dispatch.mention_finder import Finder, Name
from extraction import CATEGORIES, VIEWER, Episode, Person, Proposal, Text, confidence_of, model_episodes
from extraction.model_json import json_object

PROMPT = """You read one text from a person's life (the user's) and list what a careful reader would learn
from it about the people named below, and about the user themselves where the user's own first person
(I, my) says it: preferences (likes, dislikes, favourites), facts (allergies, diets, birthdays, how a
person is related to the user), goals, traits and patterns (what one does or feels again and again).
Only what the text says plainly: no guesses, nothing from questions, hypotheticals or a single moment's
mood. Answer JSON only: {"insights": [{"person": "<one of the names given, or 'me' for the user>",
"category": "trait|goal|belief|preference|fact|pattern", "statement": "<a short sentence naming the
person, or saying 'You ...' to the user>", "claim": "<the claim in two to five lower-case words, without
the person: 'likes jazz'>", "value": {<structured detail>}, "confidence": <0 to 1>}]}. An empty list
when there is nothing."""
MAX_STATEMENT = 2_000


class OpenAIExtractor:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str = "gpt-4o-mini",
        max_retries: int = 5,
        timeout_seconds: float = 30,
    ) -> None:
        self._model = model
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout_seconds
        )

    @property
    def name(self) -> str:
        return f"openai:{self._model}"

    async def extract(self, text: Text, people: Sequence[Person]) -> list[Proposal]:
        if not text.text.strip() or (not people and text.speaker != VIEWER):
            return []
        by_ref = {person.ref: person for person in people}
        speaker = (
            by_ref[text.speaker].name
            if text.speaker in by_ref
            else "the user (me)"
            if text.speaker == VIEWER
            else "nobody whose claims count (say nothing about the user)"
        )
        listed = "\n".join(f"- {', '.join(person.names)}" for person in people)
        asked = f"People:\n{listed}\n\nThe text's first person (I, my) is: {speaker}\n\nText:\n{text.text}"
        answer = await self._client.chat.completions.create(
            model=self._model,
            messages=[{"role": "system", "content": PROMPT}, {"role": "user", "content": asked}],
            response_format={"type": "json_object"},
            temperature=0,
        )
        content = answer.choices[0].message.content or "{}"
        return proposals_of(content, people, viewer=text.speaker == VIEWER)

    async def episodes(self, texts: Sequence[Text], people: Sequence[Person]) -> list[Episode]:
        """The moments the model reads in the texts (extraction/model_episodes.py), else the rules'."""
        return await model_episodes.ask(self._client, self._model, texts, people)

    async def close(self) -> None:
        await self._client.close()


def proposals_of(content: str, people: Sequence[Person], *, viewer: bool = False) -> list[Proposal]:
    """The model's answer as proposals: what checks out of it (see the module's doc); claims about the
    user ("me") only when `viewer` (the text is the user's own words)."""
    parsed = json_object(content)
    items = parsed.get("insights") if parsed is not None else None
    if not isinstance(items, list):
        return []
    finder = Finder(Name(person.ref, name) for person in people for name in person.names)
    found: dict[str, Proposal] = {}
    for item in items:
        proposal = _proposal(item, finder, viewer)
        if proposal is not None:
            found.setdefault(proposal.key, proposal)
    return list(found.values())


def _proposal(item: Any, finder: Finder, viewer: bool) -> Proposal | None:
    if not isinstance(item, dict):
        return None
    person, category, statement = item.get("person"), item.get("category"), item.get("statement")
    if not isinstance(person, str) or category not in CATEGORIES or not isinstance(statement, str):
        return None
    statement = statement.strip()[:MAX_STATEMENT]
    me = person.strip().lower() in ("me", "i", "the user", "user")
    whom = [VIEWER] if me and viewer else [] if me else [m.target for m in finder.find({"person": person})]
    if not statement or len(set(whom)) != 1:
        return None
    value = item.get("value")
    claim = item.get("claim")
    confidence = item.get("confidence")
    return Proposal(
        category=category,
        statement=statement,
        concerns=(whom[0],),
        claim=claim.strip() if isinstance(claim, str) and claim.strip() else statement,
        value=value if isinstance(value, dict) else {},
        confidence=confidence_of(confidence),
    )
