"""The transcriber the settings ask for: OpenAI's API with OPENAI_API_KEY, else none."""

from settings import Settings
from storage.transcription import Transcriber
from storage.transcription.openai_transcriber import OpenAITranscriber


def create_transcriber(settings: Settings) -> Transcriber | None:
    if settings.openai_api_key is None:
        return None
    return OpenAITranscriber(
        settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_transcription_model,
        segment_seconds=settings.transcription_segment_seconds,
        max_retries=settings.openai_max_retries,
        timeout_seconds=max(settings.openai_timeout_seconds, 120),
    )
