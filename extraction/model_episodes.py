"""The moments texts tell of, as a model reads them (the model extractor's episodes; the rules' are
extraction/episodes.py): a chat model behind OpenAI's API is given the texts, each with its id and the
time it was written, and the owner's people, and answers {"moments": [{"text", "when", "people",
"concepts", "confidence", "evidence"}]}.

What it answers is checked, never trusted: a moment with no words, or whose evidence names none of the
texts given, is dropped; people are kept only when they are the owner's (by name, as mentions are
found); concepts are kept short and few; a confidence is kept to 0-1. Its time is the words the model
quotes ("last Tuesday"), resolved against the earliest of its texts' own times (extraction/when.py),
not a date the model computes. When the call fails (an error, a timeout, an answer that is no JSON of
moments), the rules read the texts instead: their episodes say so (`extractor: "deterministic"`).
"""

import logging
from collections.abc import Sequence
from typing import Any

from openai import AsyncOpenAI

from dispatch.mention_finder import Finder, Name
from extraction import Episode, Person, Text, confidence_of
from extraction.episodes import find_all
from extraction.model_json import ask_json
from extraction.when import resolve
from graph.refs import Ref

logger = logging.getLogger(__name__)
MAX_CONTENT = 2_000
MAX_WHEN = 60
MAX_CONCEPT = 40
MAX_CONCEPTS = 5

PROMPT = """You read texts from a person's life (the user's): messages of a conversation, notes, document
passages, each given as [id] (when it was written) words. List the moments they tell of: something that
happened once, at a time (told in the past), not a habit, a plan, a wish, a question or a preference.
One moment per happening, even when several texts tell it. Answer JSON only: {"moments": [{"text": "<the
moment in the texts' own words, one to three sentences>", "when": "<the time exactly as the texts say
it ('last Tuesday', 'on 3 March', 'two years ago'), or null when none is said>", "people": ["<names
from the list given who were there>"], "concepts": ["<places, activities or things it names, one to
three words each>"], "confidence": <0 to 1>, "evidence": ["<the ids of the texts that tell it>"]}]}. An
empty list when there is none."""


async def ask(
    client: AsyncOpenAI, model: str, texts: Sequence[Text], people: Sequence[Person]
) -> list[Episode]:
    """The moments the model finds in the texts; the rules' when the call or its answer fails."""
    told = [text for text in texts if text.text.strip()]
    if not told:
        return []
    listed = "\n".join(f"- {', '.join(person.names)}" for person in people) or "(none)"
    shown = "\n".join(f"[{text.source.uid}] ({_written(text)}) {text.text}" for text in told)
    asked = f"People:\n{listed}\n\nTexts:\n{shown}"
    parsed = await ask_json(client, model, PROMPT, asked, task="read the moments (the rules did)")
    if parsed is None:  # ask_json logged why
        return find_all(told, people)
    found = episodes_of(parsed, told, people, f"openai:{model}")
    if found is None:
        logger.warning("the model's answer had no list of moments (the rules read them)")
        return find_all(told, people)
    return found


def _written(text: Text) -> str:
    return text.at.strftime("%A %d %B %Y %H:%M UTC") if text.at is not None else "time unknown"


def episodes_of(
    parsed: dict[str, Any], texts: Sequence[Text], people: Sequence[Person], extractor: str
) -> list[Episode] | None:
    """The model's answer as episodes, kept to what checks out (see the module's doc); None when the
    answer holds no list of moments."""
    moments = parsed.get("moments")
    if not isinstance(moments, list):
        return None
    finder = Finder(Name(person.ref, name) for person in people for name in person.names)
    by_uid = {text.source.uid: text for text in texts}
    found = [_episode(moment, by_uid, finder, extractor) for moment in moments]
    return [episode for episode in found if episode is not None]


def _episode(moment: Any, texts: dict[str, Text], finder: Finder, extractor: str) -> Episode | None:
    if not isinstance(moment, dict):
        return None
    content, ids = moment.get("text"), moment.get("evidence")
    if not isinstance(content, str) or not content.strip() or not isinstance(ids, list):
        return None
    evidence = [texts[uid] for uid in dict.fromkeys(i for i in ids if isinstance(i, str)) if uid in texts]
    if not evidence:
        return None
    when = moment.get("when")
    said = " ".join(when.lower().split())[:MAX_WHEN] if isinstance(when, str) and when.strip() else None
    times = [text.at for text in evidence if text.at is not None]
    return Episode(
        content.strip()[:MAX_CONTENT],
        _people(moment.get("people"), finder),
        said,
        confidence_of(moment.get("confidence")),
        happened_at=resolve(said, min(times) if times else None),
        concepts=_concepts(moment.get("concepts")),
        evidence=tuple(text.source for text in evidence),
        extractor=extractor,
    )


def _people(named: Any, finder: Finder) -> tuple[Ref, ...]:
    """The owner's people among the names the model gave (each name must be one of theirs)."""
    if not isinstance(named, list):
        return ()
    found = [finder.find({"name": name}) for name in named if isinstance(name, str)]
    return tuple(dict.fromkeys(hits[0].target for hits in found if len({hit.target for hit in hits}) == 1))


def _concepts(named: Any) -> tuple[str, ...]:
    if not isinstance(named, list):
        return ()
    kept = [" ".join(name.split()) for name in named if isinstance(name, str) and name.strip()]
    return tuple(dict.fromkeys(name for name in kept if len(name) <= MAX_CONCEPT))[:MAX_CONCEPTS]
