from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
import torch

from recograph_training import content_map
from recograph_training.content_map import (
    CATEGORY_TEXT_MIN_ITEMS,
    CONTENT_MAP_FORMAT,
    MapRows,
    add_content_map,
    apply_map,
    fit_content_map,
    fit_ridge,
)
from recograph_training.export import save_model, sha256_of
from recograph_training.model import NeighbourhoodGAT


def test_the_fit_recovers_a_linear_map_and_chooses_its_strength_on_held_out_rows():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 24)).astype(np.float32)
    true = rng.normal(size=(25, 8))
    y = np.hstack([x, np.ones((400, 1))]) @ true
    weights, rows, metrics = fit_content_map(x, y)
    assert weights.shape == (25, 8) and weights.dtype == np.dtype("<f4") and rows == MapRows()
    assert np.allclose(apply_map(weights, rows, x), y, atol=0.05)
    assert metrics["heldOutMeanCosine"] > 0.99 and metrics["heldOut"] == 40
    assert metrics["categoryStrength"] is None and metrics["heldOutMeanCosineCategoryOnly"] is None
    assert metrics["textStrength"] == min(s["text"] for s in metrics["meanCosineByStrength"] if s["text"] is not None)


def test_the_ridge_solve_is_the_same_in_the_primal_and_the_dual_and_never_shrinks_the_constant():
    rng = np.random.default_rng(7)
    for rows, columns in ((50, 10), (20, 60)):  # the primal, then the dual
        features = np.hstack([rng.normal(size=(rows, columns)), np.ones((rows, 1))])
        y = rng.normal(size=(rows, 3)) + 5.0
        penalty = np.concatenate([rng.uniform(0.1, 2.0, size=columns), [0.0]])
        penalty[3] = np.inf
        weights = fit_ridge(features, y, penalty)
        used = np.isfinite(penalty)
        a = features[:, used]
        grown = np.diag(penalty[used])
        expected = np.linalg.solve(a.T @ a + grown, a.T @ y)
        assert np.allclose(weights[used], expected, atol=1e-8) and np.all(weights[3] == 0)
    with pytest.raises(ValueError, match="unshrunk constant"):
        fit_ridge(features, y, np.ones(features.shape[1]))


def blocks(weights: np.ndarray, rows: MapRows, input_dim: int):
    """The map's W, each category's W_c (W itself for a category without rows of its own), O and b."""
    text = {c: weights[input_dim * (1 + k): input_dim * (2 + k)] for k, c in enumerate(rows.category_text)}
    offsets = weights[input_dim * (1 + len(rows.category_text)): -1]
    return weights[:input_dim], text, offsets, weights[-1]


def category_data(seed: int, n: int = 600, categories: int = 6, input_dim: int = 16, dim: int = 8, own_style: bool = False):
    """Rows that are a category's offset plus a linear style from text the category barely shows in;
    with ``own_style``, each category reads the text its own way."""
    rng = np.random.default_rng(seed)
    item_categories = [f"c{k % categories}" for k in range(n)]
    offsets = rng.normal(size=(categories, dim)) * 3
    x = rng.normal(size=(n, input_dim)).astype(np.float32)
    styles = rng.normal(size=(categories if own_style else 1, input_dim, dim)) * 0.3
    style_of = [styles[k % categories if own_style else 0] for k in range(n)]
    y = offsets[[k % categories for k in range(n)]] + np.stack([x[k] @ style_of[k] for k in range(n)])
    y = y + rng.normal(size=(n, dim)) * 0.05
    return x, y, item_categories, offsets, styles


def test_category_rows_carry_what_the_text_cannot_and_the_choice_beats_text_only_and_category_only():
    x, y, item_categories, offsets, styles = category_data(3, n=660)
    weights, rows, metrics = fit_content_map(x[:600], y[:600], item_categories[:600])
    assert rows.categories == tuple(f"c{k}" for k in range(6)) and weights.shape == (rows.count(16), 8)
    assert metrics["categoryStrength"] is not None and metrics["textStrength"] is not None
    assert metrics["heldOutMeanCosine"] > 0.99
    assert metrics["heldOutMeanCosine"] > metrics["heldOutMeanCosineTextOnly"] + 0.3
    assert metrics["heldOutMeanCosine"] > metrics["heldOutMeanCosineCategoryOnly"] + 0.01
    w, text, o, b = blocks(weights, rows, 16)
    for k, category in enumerate(rows.categories):
        assert np.allclose(w + text.get(category, 0), styles[0], atol=0.03)
        assert np.allclose(o[k] + b, offsets[k], atol=0.05)
    assert np.allclose(apply_map(weights, rows, x[600:], item_categories[600:]), y[600:], atol=0.3)


def test_a_category_that_reads_the_text_its_own_way_gets_text_rows_of_its_own():
    x, y, item_categories, offsets, styles = category_data(6, n=660, own_style=True)
    weights, rows, metrics = fit_content_map(x[:600], y[:600], item_categories[:600])
    assert rows.category_text == rows.categories and metrics["categoryTextStrength"] is not None
    assert metrics["heldOutMeanCosine"] > 0.99
    assert metrics["heldOutMeanCosine"] > metrics["heldOutMeanCosineWithoutCategoryText"] + 0.03
    w, text, o, b = blocks(weights, rows, 16)
    for k, category in enumerate(rows.categories):
        assert np.allclose(w + text[category], styles[k], atol=0.05)
    assert np.allclose(apply_map(weights, rows, x[600:], item_categories[600:]), y[600:], atol=0.3)


def test_only_categories_with_enough_items_get_text_rows():
    x, y, item_categories, _, _ = category_data(8, n=660, own_style=True)
    small = [c if c != "c5" or k % 60 == 5 else "c4" for k, c in enumerate(item_categories)]  # c5: 110 items → 11
    few = Counter(small)["c5"]
    assert few < CATEGORY_TEXT_MIN_ITEMS
    _, rows, _ = fit_content_map(x, y, small)
    assert "c5" in rows.categories and "c5" not in rows.category_text and "c4" in rows.category_text


def test_a_catalogue_too_large_for_the_fit_gives_text_rows_to_fewer_categories(monkeypatch):
    x, y, item_categories, _, _ = category_data(9, n=600, own_style=True)
    monkeypatch.setattr(content_map, "CATEGORY_TEXT_MAX_NUMBERS", 600 * 16 * 3)  # W and two blocks
    sizes = Counter(item_categories[:590])
    _, rows, _ = fit_content_map(x[:590], y[:590], item_categories[:590])
    assert len(rows.category_text) == 2 and set(rows.category_text) == {c for c, _ in sizes.most_common(2)}


def test_an_item_of_a_category_the_map_does_not_know_gets_the_text_and_the_constant_only():
    x, y, item_categories, _, _ = category_data(4, own_style=True)
    weights, rows, _ = fit_content_map(x, y, item_categories)
    e = x[:3]
    w, text, o, b = blocks(weights, rows, 16)
    mapped = apply_map(weights, rows, e, ["never-seen", None, "c1"])
    assert np.allclose(mapped[0], e[0] @ w + b, atol=1e-5)
    assert np.allclose(mapped[1], e[1] @ w + b, atol=1e-5)
    assert np.allclose(mapped[2], e[2] @ (w + text.get("c1", 0)) + o[rows.categories.index("c1")] + b, atol=1e-5)


def test_when_the_text_says_it_all_the_map_still_matches_text_only():
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
    assert content["map"]["categoryText"] == []  # 20 items a category: too few for rows of its own
    assert content["map"]["inputDim"] == 16 and content["encoder"] == {"name": "test-encoder", "sha256": "0" * 64}
    assert sha256_of(tmp_path / content["map"]["file"]) == content["map"]["sha256"]
    assert (tmp_path / content["map"]["file"]).stat().st_size == rows * 8 * 4
    assert {k: metadata[k] for k in ("version", "graph", "tables")} == {k: before[k] for k in ("version", "graph", "tables")}
