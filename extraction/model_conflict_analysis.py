"""A conflict analyzed by a model through OpenAI's chat API (structured JSON output), checked against the
conversation before anything of it is kept, and the choice of a Kindred instance's analyzer.

The model is given each turn with its message id and asked for the four habits, their antidotes, the
triggers and the patterns between the speakers, each with the ids of the messages it rests on. What it
answers is validated: a finding of an unknown kind or name is dropped, and so is every message id that is
not one of the conversation's (a finding left with none is dropped); a quote that is not in its message is
replaced by the message's own words. Any failure (the API unreachable, an error, a timeout) or an answer
that is no such object, or whose findings all rest on no message given, falls back to the deterministic
analyzer (extraction/conflict_analysis.py), whose generator the analysis then records.
"""

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from openai import AsyncOpenAI

from extraction.conflict_analysis import (
    ANTIDOTES,
    EXCHANGES,
    HORSEMEN,
    WEIGHTS,
    Analyzer,
    Finding,
    PatternAnalyzer,
    Result,
    Turn,
    result_of,
)
from extraction.model_json import ask_json
from settings import Settings

logger = logging.getLogger(__name__)
VERSION = "1"
MAX_SUMMARY = 1_000
MAX_QUOTE = 200
# A trigger is named as a topic: a short slug ("money", "screen_time").
TRIGGER_NAME = re.compile(r"[a-z][a-z_]{0,39}")
NAMES = {
    "horseman": frozenset(HORSEMEN),
    "antidote": frozenset(ANTIDOTES.values()),
    "pattern": frozenset(EXCHANGES),
}
PROMPT = f"""You help a couples' mediator. You get the turns of a conversation, each as
[message id] speaker: text. Find, citing the message ids each rests on:
- "horseman": the four habits that hurt a relationship, named one of {", ".join(HORSEMEN)};
- "antidote": where someone used an antidote, named one of {", ".join(sorted(NAMES["antidote"]))};
- "trigger": the topics that set the fight off, each a short lowercase name ("money", "chores");
- "pattern": how the speakers answered each other, named one of {", ".join(EXCHANGES)}.
Quote the words of the message a finding rests on. Answer only as JSON:
{{"summary": "...", "findings": [{{"kind": "horseman", "name": "criticism", "message_ids": ["..."],
"quote": "..."}}]}}. Find nothing that is not in the turns; an empty list is a fine answer."""


class ModelAnalyzer:
    """A model's analysis, the deterministic one where the model gives none (see the module's doc)."""

    version = VERSION

    def __init__(
        self, *, api_key: str, base_url: str | None, model: str, timeout_seconds: float, fallback: Analyzer
    ) -> None:
        self.name = f"openai:{model}"
        self._model = model
        self._client = AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=1, timeout=timeout_seconds)
        self._fallback = fallback

    async def analyze(self, turns: Sequence[Turn]) -> Result:
        answer = await self._ask(turns) if turns else None
        found = findings_of(answer, turns) if answer is not None else None
        if found is None:
            return await self._fallback.analyze(turns)
        findings, summary = found
        return result_of(findings, self.name, self.version, summary)

    async def _ask(self, turns: Sequence[Turn]) -> dict[str, Any] | None:
        listed = "\n".join(f"[{turn.message}] {turn.name or turn.speaker}: {turn.text}" for turn in turns)
        return await ask_json(self._client, self._model, PROMPT, listed, task="analyze the conflict")


def findings_of(parsed: dict[str, Any], turns: Sequence[Turn]) -> tuple[list[Finding], str | None] | None:
    """The findings (one per message each rests on) and summary of the model's answer, kept to what the
    turns hold; None when the answer is no analysis, or when it found things and none rests on a turn."""
    said = parsed.get("findings")
    if not isinstance(said, list):
        return None
    given_summary = parsed.get("summary")
    summary = given_summary.strip()[:MAX_SUMMARY] if isinstance(given_summary, str) else ""
    by_message = {turn.message: turn for turn in turns}
    findings = [finding for given in said for finding in _finding(given, by_message)]
    if said and not findings:
        logger.warning("the model's findings rest on no message of the conversation: not used")
        return None
    return findings, summary or None


def _finding(given: Any, by_message: dict[str, Turn]) -> list[Finding]:
    """One Finding per message of the conversation this finding of the model's names; none when it is of
    an unknown kind or name."""
    if not isinstance(given, dict):
        return []
    kind, name, ids = given.get("kind"), given.get("name"), given.get("message_ids")
    if kind not in WEIGHTS or not isinstance(name, str) or not isinstance(ids, list):
        return []
    known = NAMES.get(kind)
    if (known is not None and name not in known) or (known is None and not TRIGGER_NAME.fullmatch(name)):
        return []
    quoted = given.get("quote")
    quote = quoted if isinstance(quoted, str) else ""
    turns = [by_message[uid] for uid in dict.fromkeys(ids) if isinstance(uid, str) and uid in by_message]
    between = kind == "pattern"  # a pattern is between both speakers, of no one
    return [
        Finding(
            kind,
            name,
            "" if between else turn.speaker,
            "" if between else turn.name,
            _quoted(quote, turn.text),
            turn.message,
            turn.seq,
            WEIGHTS[kind],
        )
        for turn in turns
    ]


def _quoted(quote: str, text: str) -> str:
    """The model's quote when its message holds it, else the message's own first words."""
    quote = quote.strip()
    return quote[:MAX_QUOTE] if quote and quote in text else text[:MAX_QUOTE].strip()


def create_analyzer(settings: Settings) -> Analyzer:
    """The analyzer of a Kindred instance: a model's when one is configured (the same rule as
    extraction/explainer.py: KINDRED_INSIGHT_EXTRACTOR, else OPENAI_API_KEY), with the deterministic one to
    fall back on; else the deterministic one."""
    chosen = settings.insight_extractor or ("openai" if settings.openai_api_key is not None else None)
    if chosen != "openai" or settings.openai_api_key is None:
        return PatternAnalyzer()
    key = settings.openai_api_key.get_secret_value()
    return _analyzer(
        key, settings.openai_base_url, settings.openai_insight_model, settings.openai_timeout_seconds
    )


@lru_cache(maxsize=4)
def _analyzer(api_key: str, base_url: str | None, model: str, timeout_seconds: float) -> ModelAnalyzer:
    """One client per configuration: its connections are kept across requests."""
    return ModelAnalyzer(
        api_key=api_key,
        base_url=base_url,
        model=model,
        timeout_seconds=timeout_seconds,
        fallback=PatternAnalyzer(),
    )
