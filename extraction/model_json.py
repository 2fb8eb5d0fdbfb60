"""Asking a chat model behind OpenAI's API for one JSON object, the way every model reader here asks
(extraction/model_episodes.py, extraction/explainer.py, extraction/model_conflict_analysis.py): a system
prompt, the user's part, JSON mode, temperature 0. The callers fall back to their own rules when there is
no answer, so a failure is None here, said in the log, never raised."""

import json
import logging
from typing import Any

from openai import AsyncOpenAI, OpenAIError

logger = logging.getLogger(__name__)


async def ask_json(
    client: AsyncOpenAI, model: str, system: str, user: str, *, task: str
) -> dict[str, Any] | None:
    """The model's answer as a JSON object; None when the call fails (an error, a timeout), or the answer
    has no choices or is no JSON object. `task` says in the log what the model did not do."""
    try:
        answer = await client.chat.completions.create(
            model=model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format={"type": "json_object"},
            temperature=0,
        )
    except OpenAIError as error:
        logger.warning("the model did not %s: %s", task, error)
        return None
    parsed = json_object(answer.choices[0].message.content if answer.choices else None)
    if parsed is None:
        logger.warning("the model did not %s: its answer was no JSON object", task)
    return parsed


def json_object(content: str | None) -> dict[str, Any] | None:
    """The JSON object a model's content is, or None (no content, no JSON, or JSON that is no object)."""
    try:
        parsed: Any = json.loads(content or "")
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
