"""Transcription by OpenAI's API (or any server speaking it, OPENAI_BASE_URL).

The API takes files of up to 25 MB, so a longer recording is sent in segments of `segment_seconds`:
WAV cut at sample frames (each part a WAV of its own), MP3 cut at frame boundaries. Each segment's
timestamps are shifted by where it starts, so the transcript's times are the recording's.
"""

import os
import tempfile
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

import openai

from storage.transcription import Segment, Transcript, TranscriptionFailed, TranscriptionUnavailable

MAX_REQUEST_BYTES = 24 * 1024 * 1024  # under the API's 25 MB, with room for the form around it


class OpenAITranscriber:
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        model: str = "whisper-1",
        segment_seconds: float = 600,
        max_retries: int = 5,
        timeout_seconds: float = 120,
    ) -> None:
        self.client = openai.AsyncOpenAI(
            api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout_seconds
        )
        self.model = model
        self.segment_seconds = segment_seconds

    async def transcribe(self, path: str, mime: str, duration: float | None) -> Transcript:
        segments: list[Segment] = []
        with _parts(path, mime, duration, self.segment_seconds) as parts:
            for offset, part_path, name in parts:
                segments.extend(await self._one(part_path, name, offset))
        return Transcript(tuple(segments))

    async def _one(self, path: str, name: str, offset: float) -> list[Segment]:
        try:
            with open(path, "rb") as handle:  # noqa: ASYNC230 -- the client streams the open file
                answer: Any = await self.client.audio.transcriptions.create(
                    file=(name, handle),
                    model=self.model,
                    response_format="verbose_json",
                    timestamp_granularities=["segment"],
                )
        except (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError) as error:
            raise TranscriptionUnavailable(str(error)) from error
        except openai.APIStatusError as error:
            raise TranscriptionFailed(f"the transcription service refused the recording: {error}") from error
        found = [_segment(item, offset) for item in (_get(answer, "segments") or [])]
        if not found and _get(answer, "text"):
            found = [
                Segment(offset, offset + float(_get(answer, "duration") or 0), str(_get(answer, "text")))
            ]
        return found

    async def close(self) -> None:
        await self.client.close()


def _get(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def _segment(item: Any, offset: float) -> Segment:
    start, end = float(_get(item, "start") or 0), float(_get(item, "end") or 0)
    return Segment(offset + start, offset + end, str(_get(item, "text") or ""))


@contextmanager
def _parts(
    path: str, mime: str, duration: float | None, seconds: float
) -> Iterator[list[tuple[float, str, str]]]:
    """(offset in seconds, file, name) of each part to send: the file itself when it is short and
    small enough, else its segments in a temporary folder (removed afterwards)."""
    size = os.path.getsize(path)
    extension = _EXTENSIONS.get(mime, "bin")
    if size <= MAX_REQUEST_BYTES and (duration is None or duration <= seconds):
        yield [(0.0, path, f"recording.{extension}")]
        return
    with tempfile.TemporaryDirectory(prefix="kindred-audio-") as folder:
        if mime in ("audio/wav", "audio/x-wav"):
            yield list(_wav_parts(path, folder, seconds))
        elif mime == "audio/mpeg" and duration:
            yield list(_mp3_parts(path, folder, seconds, duration))
        else:
            raise TranscriptionFailed(
                f"a recording this long ({size} bytes) is split only as WAV or MP3, not {mime}"
            )


def _wav_parts(path: str, folder: str, seconds: float) -> Iterator[tuple[float, str, str]]:
    with wave.open(path, "rb") as source:
        rate = source.getframerate()
        # Within the request size too, whatever the sample format.
        frame_bytes = source.getsampwidth() * source.getnchannels()
        per_part = max(1, min(int(rate * seconds), MAX_REQUEST_BYTES // max(frame_bytes, 1) - 1024))
        index, done = 0, 0
        while frames := source.readframes(per_part):
            part = os.path.join(folder, f"part-{index}.wav")
            with wave.open(part, "wb") as out:
                out.setparams(source.getparams())
                out.writeframes(frames)
            yield done / rate, part, f"part-{index}.wav"
            done += len(frames) // frame_bytes
            index += 1


def _mp3_parts(path: str, folder: str, seconds: float, duration: float) -> Iterator[tuple[float, str, str]]:
    """MP3 cut near equal byte offsets, each cut moved to the next frame header (constant-ish bitrate:
    offsets are then proportional to time)."""
    size = os.path.getsize(path)
    count = max(int(duration // seconds) + 1, size // MAX_REQUEST_BYTES + 1)
    with open(path, "rb") as source:
        data_cuts = [0] + [_next_frame(source, size * i // count) for i in range(1, count)] + [size]
        for index, (start, end) in enumerate(pairwise(data_cuts)):
            if end <= start:
                continue
            part = os.path.join(folder, f"part-{index}.mp3")
            source.seek(start)
            with open(part, "wb") as out:
                left = end - start
                while left > 0 and (chunk := source.read(min(left, 1024 * 1024))):
                    out.write(chunk)
                    left -= len(chunk)
            yield duration * start / size, part, f"part-{index}.mp3"


def _next_frame(source: Any, offset: int) -> int:
    source.seek(offset)
    window = source.read(64 * 1024)
    for i in range(len(window) - 1):
        if window[i] == 0xFF and window[i + 1] & 0xE0 == 0xE0:
            return offset + i
    return offset


_EXTENSIONS = {
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/mp4": "m4a",
    "audio/m4a": "m4a",
    "audio/x-m4a": "m4a",
    "audio/webm": "webm",
}
