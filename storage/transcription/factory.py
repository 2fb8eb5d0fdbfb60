"""The transcriber the settings ask for (KINDRED_TRANSCRIBER): the local Whisper model, OpenAI's API, or
none; unset, OpenAI's with OPENAI_API_KEY, else the local model."""

import logging

from settings import Settings
from storage.transcription import Transcriber
from storage.transcription.openai_transcriber import OpenAITranscriber

logger = logging.getLogger("kindred.transcription")


def create_transcriber(settings: Settings) -> Transcriber | None:
    match settings.transcriber_choice:
        case "none":
            return None
        case "openai":
            assert settings.openai_api_key is not None  # the settings refuse openai without a key
            return OpenAITranscriber(
                settings.openai_api_key.get_secret_value(),
                base_url=settings.openai_base_url,
                model=settings.openai_transcription_model,
                segment_seconds=settings.transcription_segment_seconds,
                max_retries=settings.openai_max_retries,
                timeout_seconds=max(settings.openai_timeout_seconds, 120),
            )
    # Imported here: faster-whisper, CTranslate2 and PyAV load only on a server that transcribes locally.
    from storage.transcription import local_whisper

    problem = local_whisper.missing(settings.local_transcription_model_dir)
    if problem is not None:
        # Recordings then stay UNTRANSCRIBED, as with "none"; the rest of the server works.
        logger.error("RECORDINGS ARE NOT TRANSCRIBED on this server: %s", problem)
        return None
    return local_whisper.LocalWhisperTranscriber(
        settings.local_transcription_model_dir,
        segment_seconds=settings.transcription_segment_seconds,
        threads=settings.local_transcription_threads,
        beam_size=settings.local_transcription_beam_size,
    )
