"""Who writes a gift recommendation's explanation: a model through the OpenAI API when one is configured (the
same rule as extraction/factory.py: KINDRED_INSIGHT_EXTRACTOR, else OPENAI_API_KEY), given each
recommendation's reasons as Kindred worked them out, or else no one (the ranking's own words stand).

The model only rewords: what it rests on stays the reasons and evidence the graph gave. Any failure or an
answer of the wrong shape keeps Kindred's words (a list is never refused for its explanations)."""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from openai import AsyncOpenAI

from extraction.model_json import ask_json
from settings import Settings

MAX_EXPLANATION = 500
PROMPT = """You explain gift suggestions to the person choosing a gift. For each numbered suggestion you get
its title and the reasons behind it. Write one or two friendly sentences per suggestion using only those
reasons (add no facts). Answer as JSON: {"explanations": ["...", "..."]}, one per suggestion, in order."""


class OpenAIExplainer:
    def __init__(self, *, api_key: str, base_url: str | None, model: str, timeout_seconds: float) -> None:
        self._model = model
        self._client = AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=1, timeout=timeout_seconds)

    @property
    def name(self) -> str:
        return f"openai:{self._model}"

    async def explain(self, person: str, items: Sequence[tuple[str, Sequence[str]]]) -> list[str] | None:
        """One explanation per (title, reasons) item, in order; None when the model could not give them."""
        listed = "\n".join(f"{i}. {title}: {'; '.join(says)}" for i, (title, says) in enumerate(items, 1))
        asked = f"The gift is for {person}.\n{listed}"
        parsed = await ask_json(self._client, self._model, PROMPT, asked, task="explain the recommendations")
        return explanations_of(parsed, len(items)) if parsed is not None else None


def explanations_of(parsed: dict[str, Any], count: int) -> list[str] | None:
    """The model's explanations if it gave exactly `count` non-empty texts, each cut to MAX_EXPLANATION."""
    said = parsed.get("explanations")
    if not isinstance(said, list) or len(said) != count:
        return None
    if not all(isinstance(text, str) and text.strip() for text in said):
        return None
    return [text.strip()[:MAX_EXPLANATION] for text in said]


def explainer_of(settings: Settings) -> OpenAIExplainer | None:
    """The model that words explanations on this instance, or None (see the module's doc)."""
    chosen = settings.insight_extractor or ("openai" if settings.openai_api_key is not None else None)
    if chosen != "openai" or settings.openai_api_key is None:
        return None
    key = settings.openai_api_key.get_secret_value()
    return _explainer(
        key, settings.openai_base_url, settings.openai_insight_model, settings.openai_timeout_seconds
    )


@lru_cache(maxsize=4)
def _explainer(api_key: str, base_url: str | None, model: str, timeout_seconds: float) -> OpenAIExplainer:
    """One client per configuration: its connections are kept across requests."""
    return OpenAIExplainer(api_key=api_key, base_url=base_url, model=model, timeout_seconds=timeout_seconds)
