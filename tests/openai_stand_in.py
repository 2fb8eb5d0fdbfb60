"""A stand-in of OpenAI's HTTP API on a real port, for what cannot be reached from here.

POST /v1/embeddings answers deterministic unit vectors of each text (in reverse order: the API does not
promise order, the client must sort by index), or a 429 once when `rate_limit_first` is set.
POST /v1/audio/transcriptions answers verbose JSON with two segments, one sentence of SPOKEN per part sent.
POST /v1/chat/completions answers, as its message's content, `chat_answer` as JSON (what a test sets),
or a server error while `chat_fails` is set.
"""

import hashlib
import io
import json
import wave
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.served import Served

SPOKEN = [
    "You never listen when I talk about money.",
    "I feel ignored when you look at your phone during dinner.",
    "Let us plan a budget together on Sunday morning.",
]


def vector_of(text: str, dimensions: int) -> list[float]:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    vector = np.random.default_rng(seed).standard_normal(dimensions)
    return (vector / np.linalg.norm(vector)).tolist()


class OpenAIStandIn(Served):
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []  # the embedding requests' bodies
        self.transcriptions: list[dict[str, Any]] = []  # what each transcription request sent
        self.rate_limit_first = False
        self.chats: list[dict[str, Any]] = []  # the chat completion requests' bodies
        self.chat_answer: dict[str, Any] = {"insights": []}
        self.chat_fails = False  # answer chat completions with a server error
        routes = [
            Route("/v1/chat/completions", self.chat, methods=["POST"]),
            Route("/v1/embeddings", self.embeddings, methods=["POST"]),
            Route("/v1/audio/transcriptions", self.transcribe, methods=["POST"]),
        ]
        super().__init__(Starlette(routes=routes))

    @property
    def url(self) -> str:
        return f"{self.base}/v1"

    async def embeddings(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(body)
        if self.rate_limit_first:
            self.rate_limit_first = False
            error = {
                "error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}
            }
            return JSONResponse(error, status_code=429, headers={"retry-after-ms": "50"})
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dimensions = body.get("dimensions", 1536)
        data = [
            {"object": "embedding", "index": index, "embedding": vector_of(text, dimensions)}
            for index, text in enumerate(inputs)
        ]
        data.reverse()
        usage = {"prompt_tokens": 1, "total_tokens": 1}
        return JSONResponse({"object": "list", "data": data, "model": body["model"], "usage": usage})

    async def chat(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.chats.append(body)
        if self.chat_fails:
            return JSONResponse(
                {"error": {"message": "The server had an error", "type": "server_error"}}, 500
            )
        message = {"role": "assistant", "content": json.dumps(self.chat_answer)}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        return JSONResponse({"id": "chatcmpl-stand-in", "object": "chat.completion", "created": 0,
                             "model": body["model"], "choices": [choice], "usage": usage})  # fmt: skip

    async def transcribe(self, request: Request) -> JSONResponse:
        form = await request.form()
        upload: Any = form["file"]
        with wave.open(io.BytesIO(await upload.read())) as audio:
            seconds = audio.getnframes() / audio.getframerate()
        index = len(self.transcriptions)
        self.transcriptions.append(
            {
                "model": form["model"],
                "response_format": form["response_format"],
                "granularities": form.getlist("timestamp_granularities[]"),
                "seconds": seconds,
                "filename": upload.filename,
            }
        )
        words = SPOKEN[index % len(SPOKEN)]
        half = words.index(" ", len(words) // 2)  # segments end between words, as Whisper's do
        segments = [
            {"id": 0, "start": 0.0, "end": seconds / 2, "text": " " + words[:half]},
            {"id": 1, "start": seconds / 2, "end": seconds, "text": words[half:]},
        ]
        return JSONResponse({"task": "transcribe", "language": "english", "duration": seconds,
                             "text": words, "segments": segments})  # fmt: skip
