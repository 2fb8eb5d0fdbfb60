"""bge-small-en-v1.5 on onnxruntime: the real model ./kindred fetches (no mocks)."""

from pathlib import Path

import numpy as np
import pytest

from settings import Settings
from storage.embeddings import ModelMissing
from storage.embeddings.bge import DEFAULT_DIR, MODEL_FILE, TOKENIZER_FILE, BgeSmall
from storage.embeddings.factory import create_embedder


@pytest.fixture(autouse=True)
def empty_graph() -> None:
    """These tests need no Neo4j: this replaces conftest's fixture that empties it."""


@pytest.fixture(scope="module")
def bge() -> BgeSmall:
    model = BgeSmall()
    if model.missing() is not None:
        pytest.fail(f"run ./kindred once to fetch the model: {model.missing()}")
    return model


async def test_bge_vectors_are_unit_length_384_wide_and_the_nearly_the_same_alone_or_in_a_batch(
    bge: BgeSmall,
) -> None:
    texts = ["My sister moved to Lisbon in May", "short", "a longer sentence about gifts and birthdays " * 8]
    together = np.array(await bge.embed(texts))
    alone = np.array([(await bge.embed([text]))[0] for text in texts])
    assert together.shape == (3, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # The int8 model quantizes activations per batch, so a batch moves a vector slightly (cosine > 0.99,
    # measured 0.994 at worst), never to another meaning.
    assert np.all((together * alone).sum(axis=1) > 0.99)


async def test_bge_ranks_a_paraphrase_above_an_unrelated_sentence(bge: BgeSmall) -> None:
    memory, paraphrase, unrelated = await bge.embed(
        ["We went hiking in the Alps last summer", "a mountain trip", "The quarterly invoice is overdue"]
    )
    assert np.dot(memory, paraphrase) > np.dot(memory, unrelated) + 0.1


@pytest.fixture
def tokenizer_only(tmp_path: Path) -> Path:
    """A model folder holding the tokenizer but not the model."""
    (tmp_path / TOKENIZER_FILE).write_bytes((DEFAULT_DIR / TOKENIZER_FILE).read_bytes())
    return tmp_path


async def test_a_missing_bge_file_says_model_missing(tokenizer_only: Path) -> None:
    lacking = BgeSmall(tokenizer_only)
    assert MODEL_FILE in (lacking.missing() or "")
    with pytest.raises(ModelMissing):
        await lacking.embed(["anything"])


def test_kindred_embedder_picks_bge() -> None:
    chosen = create_embedder(Settings(_env_file=None, embedder="bge-small-en-v1.5"))
    default = create_embedder(Settings(_env_file=None))
    assert (chosen.model_id, chosen.dimensions) == ("BAAI/bge-small-en-v1.5-q", 384)
    assert default.model_id == "sentence-transformers/all-MiniLM-L6-v2"
