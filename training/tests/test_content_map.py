from __future__ import annotations

import json

import numpy as np
import torch

from recograph_training.content_map import add_content_map, apply_map, fit_content_map
from recograph_training.export import save_model, sha256_of
from recograph_training.model import NeighbourhoodGAT


def test_the_fit_recovers_a_linear_map_and_chooses_its_strength_on_held_out_rows():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 24)).astype(np.float32)
    true = rng.normal(size=(25, 8))
    y = np.hstack([x, np.ones((400, 1))]) @ true
    weights, metrics = fit_content_map(x, y)
    assert weights.shape == (25, 8) and weights.dtype == np.dtype("<f4")
    assert np.allclose(apply_map(weights, x), y, atol=0.05)
    assert metrics["heldOutMeanCosine"] > 0.99 and metrics["heldOut"] == 40
    assert metrics["ridgeStrength"] == min(float(s) for s in metrics["meanCosineByStrength"])


def test_adding_a_map_names_it_in_model_json_and_keeps_the_weights(tmp_path):
    torch.manual_seed(0)
    model = NeighbourhoodGAT(60, 5, dim=8, heads=2, similarity="cosine", tie_candidates=True)
    before = save_model(model, (4, 2), [f"i{k}" for k in range(60)], [f"u{k}" for k in range(5)], {}, tmp_path)
    ids = [f"i{k}" for k in range(60)] + ["not-in-the-model"]
    embeddings = np.random.default_rng(2).normal(size=(61, 16)).astype("<f4")
    encoder = {"source": {"model": "test-encoder"}, "model": {"sha256": "0" * 64}}
    content = add_content_map(tmp_path, embeddings, ids, encoder)
    metadata = json.loads((tmp_path / "model.json").read_text())
    assert metadata["content"] == content and content["fit"]["items"] == 60
    assert content["map"]["inputDim"] == 16 and content["encoder"] == {"name": "test-encoder", "sha256": "0" * 64}
    assert sha256_of(tmp_path / content["map"]["file"]) == content["map"]["sha256"]
    assert (tmp_path / content["map"]["file"]).stat().st_size == 17 * 8 * 4
    assert {k: metadata[k] for k in ("version", "graph", "tables")} == {k: before[k] for k in ("version", "graph", "tables")}
