"""Model loading without network, the artefacts, and the pluggable model interface."""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from services.sentiment.nlp import (
    Enricher,
    ModelLoadError,
    OnnxSentimentModel,
    SentimentLabel,
    SentimentModel,
    load_enricher,
)
from services.sentiment.nlp.models import DEFAULT_MODEL_DIR, load_bundle


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_loads_and_scores_without_network(no_network: None) -> None:
    enricher = load_enricher()
    result = enricher.score_texts(["Die App ist kaputt", "storing", "great"])
    assert result[0].language == "de"
    assert (
        enricher.model_version
        == json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text())["model_version"]
    )


def test_artefacts_are_small_and_pickle_free() -> None:
    files = sorted(DEFAULT_MODEL_DIR.glob("*.npz"))
    assert {f.name for f in files} >= {"sentiment-en.npz", "sentiment-nl.npz"}
    for f in files:
        assert f.stat().st_size < 5_000_000
        with np.load(f, allow_pickle=False) as z:
            assert all(z[k].dtype != object for k in z.files)
    bundle = load_bundle()
    assert set(bundle.models) == {"en", "nl"}
    assert bundle.models["en"].kind == "multiclass"
    assert bundle.models["nl"].kind == "binary"


def test_missing_model_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="manifest"):
        load_enricher(model_dir=tmp_path)


def test_missing_onnx_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not found"):
        load_enricher(sentiment_model_path=str(tmp_path / "model.onnx"))


def test_missing_tokenizer_or_runtime_is_a_clear_error(tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(b"not really onnx")
    with pytest.raises(ModelLoadError, match="tokenizer"):
        OnnxSentimentModel(model)
    (tmp_path / "tokenizer.json").write_text("{}")
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        with pytest.raises(ModelLoadError, match="onnxruntime is not installed"):
            OnnxSentimentModel(model)
    else:  # pragma: no cover - only where onnxruntime is installed
        with pytest.raises(Exception):  # noqa: B017, PT011 - a garbage file must not load
            OnnxSentimentModel(model)


class AlwaysPositive:
    """A stand-in for an operator's model: anything with ``predict(texts) -> (n, 3)``."""

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), 3), dtype=np.float32)
        out[:, 2] = 0.9
        out[:, 1] = 0.1
        return out


def test_a_plugged_in_model_replaces_the_shipped_ones(enricher: Enricher) -> None:
    custom = AlwaysPositive()
    assert isinstance(custom, SentimentModel)
    plugged = Enricher(load_bundle(), None, custom)
    result = plugged.score_texts(["this is terrible"])[0]
    assert result.sentiment.label is SentimentLabel.POSITIVE
    assert result.sentiment.score == pytest.approx(0.9)
    assert plugged.model_version == "custom"
    assert enricher.score_texts(["this is terrible"])[0].sentiment.label is SentimentLabel.NEGATIVE
