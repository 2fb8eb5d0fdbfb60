"""Which extractor a Kindred instance uses: KINDRED_INSIGHT_EXTRACTOR ("deterministic" or "openai"); unset,
the model when OPENAI_API_KEY is set, else the deterministic patterns."""

from extraction import Extractor
from extraction.openai_extractor import OpenAIExtractor
from extraction.patterns import PatternExtractor
from settings import Settings


def create_extractor(settings: Settings) -> Extractor:
    chosen = settings.insight_extractor or (
        "openai" if settings.openai_api_key is not None else "deterministic"
    )
    if chosen == "openai":
        if settings.openai_api_key is None:
            raise ValueError("KINDRED_INSIGHT_EXTRACTOR=openai needs OPENAI_API_KEY")
        return OpenAIExtractor(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            model=settings.openai_insight_model,
            max_retries=settings.openai_max_retries,
            timeout_seconds=settings.openai_timeout_seconds,
        )
    return PatternExtractor()
