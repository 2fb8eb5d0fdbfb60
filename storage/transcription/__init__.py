"""The transcriber interface: an audio file in, its text out, in timed segments.

KINDRED_TRANSCRIBER chooses it (storage/transcription/factory.py): "local", faster-whisper with the
Whisper tiny.en model ./kindred installs (local_whisper.py), no key and no network; "openai", OpenAI's
transcription API (openai_transcriber.py); "none", recordings stay untranscribed. Unset: openai with
OPENAI_API_KEY, else local.
"""

from dataclasses import dataclass
from typing import Protocol


class TranscriptionUnavailable(Exception):
    """The service could not be reached or refused for now (after its retries): try again later."""


class TranscriptionFailed(Exception):
    """This recording cannot be transcribed (its reason is shown to the user)."""


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the recording
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return " ".join(segment.text.strip() for segment in self.segments if segment.text.strip())


class Transcriber(Protocol):
    async def transcribe(self, path: str, mime: str, duration: float | None) -> Transcript: ...

    async def close(self) -> None: ...
