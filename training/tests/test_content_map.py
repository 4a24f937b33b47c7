from __future__ import annotations

import json

import numpy as np
import torch

from recograph_training.content_map import CONTENT_MAP_FORMAT, add_content_map, apply_map, fit_content_map
from recograph_training.export import save_model, sha256_of
from recograph_training.model import NeighbourhoodGAT


def test_the_fit_recovers_a_linear_map_and_chooses_its_strength_on_held_out_rows():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 24)).astype(np.float32)
    true = rng.normal(size=(25, 8))
    y = np.hstack([x, np.ones((400, 1))]) @ true
    weights, categories, metrics = fit_content_map(x, y)
    assert weights.shape == (25, 8) and weights.dtype == np.dtype("<f4") and categories == []
    assert np.allclose(apply_map(weights, categories, x), y, atol=0.05)
    assert metrics["heldOutMeanCosine"] > 0.99 and metrics["heldOut"] == 40
    assert metrics["categoryStrength"] is None and metrics["heldOutMeanCosineCategoryOnly"] is None
    assert metrics["textStrength"] == min(s["text"] for s in metrics["meanCosineByStrength"] if s["text"] is not None)


def category_data(seed: int, n: int = 600, categories: int = 6, input_dim: int = 16, dim: int = 8):
    """Rows that are a category's offset plus a linear style from text the category barely shows in."""
    rng = np.random.default_rng(seed)
    item_categories = [f"c{k % categories}" for k in range(n)]
    offsets = rng.normal(size=(categories, dim)) * 3
    x = rng.normal(size=(n, input_dim)).astype(np.float32)
    style = rng.normal(size=(input_dim, dim)) * 0.3
    y = offsets[[k % categories for k in range(n)]] + x @ style + rng.normal(size=(n, dim)) * 0.05
    return x, y, item_categories, offsets, style


def test_category_rows_carry_what_the_text_cannot_and_the_choice_beats_text_only_and_category_only():
    x, y, item_categories, offsets, style = category_data(3, n=660)
    weights, categories, metrics = fit_content_map(x[:600], y[:600], item_categories[:600])
    assert categories == [f"c{k}" for k in range(6)] and weights.shape == (16 + 6 + 1, 8)
    assert metrics["categoryStrength"] is not None and metrics["textStrength"] is not None
    assert metrics["heldOutMeanCosine"] > 0.99
    assert metrics["heldOutMeanCosine"] > metrics["heldOutMeanCosineTextOnly"] + 0.3
    assert metrics["heldOutMeanCosine"] > metrics["heldOutMeanCosineCategoryOnly"] + 0.01
    # The rows: W, one per category, then b; a category's row plus b is its offset.
    assert np.allclose(weights[:16], style, atol=0.02)
    assert np.allclose(weights[16:22] + weights[22], offsets, atol=0.05)
    assert np.allclose(apply_map(weights, categories, x[600:], item_categories[600:]), y[600:], atol=0.3)


def test_an_item_of_a_category_the_map_does_not_know_gets_the_text_and_the_constant_only():
    x, y, item_categories, _, _ = category_data(4)
    weights, categories, _ = fit_content_map(x, y, item_categories)
    e = x[:3]
    unknown = apply_map(weights, categories, e, ["never-seen", None, "c1"])
    assert np.allclose(unknown[0], e[0] @ weights[:16] + weights[-1], atol=1e-5)
    assert np.allclose(unknown[1], e[1] @ weights[:16] + weights[-1], atol=1e-5)
    assert np.allclose(unknown[2], e[2] @ weights[:16] + weights[16 + categories.index("c1")] + weights[-1], atol=1e-5)


def test_when_the_text_says_it_all_the_map_keeps_no_category_rows_or_still_matches_text_only():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(400, 12)).astype(np.float32)
    y = np.hstack([x, np.ones((400, 1))]) @ rng.normal(size=(13, 4))
    noise_categories = [f"c{k}" for k in rng.integers(0, 5, size=400)]
    _, _, metrics = fit_content_map(x, y, noise_categories)
    assert metrics["heldOutMeanCosine"] >= metrics["heldOutMeanCosineTextOnly"] > 0.99


def test_adding_a_map_names_it_in_model_json_and_keeps_the_weights(tmp_path):
    torch.manual_seed(0)
    model = NeighbourhoodGAT(60, 5, dim=8, heads=2, similarity="cosine", tie_candidates=True)
    before = save_model(model, (4, 2), [f"i{k}" for k in range(60)], [f"u{k}" for k in range(5)], {}, tmp_path)
    ids = [f"i{k}" for k in range(60)] + ["not-in-the-model"]
    embeddings = np.random.default_rng(2).normal(size=(61, 16)).astype("<f4")
    encoder = {"source": {"model": "test-encoder"}, "model": {"sha256": "0" * 64}}
    categories = [f"c{k % 3}" for k in range(60)] + [None]
    content = add_content_map(tmp_path, embeddings, ids, encoder, categories)
    metadata = json.loads((tmp_path / "model.json").read_text())
    assert metadata["content"] == content and content["fit"]["items"] == 60
    assert content["map"]["format"] == CONTENT_MAP_FORMAT
    rows = 16 + len(content["map"]["categories"]) + 1
    assert content["map"]["categories"] in ([], ["c0", "c1", "c2"])
    assert content["map"]["inputDim"] == 16 and content["encoder"] == {"name": "test-encoder", "sha256": "0" * 64}
    assert sha256_of(tmp_path / content["map"]["file"]) == content["map"]["sha256"]
    assert (tmp_path / content["map"]["file"]).stat().st_size == rows * 8 * 4
    assert {k: metadata[k] for k in ("version", "graph", "tables")} == {k: before[k] for k in ("version", "graph", "tables")}
