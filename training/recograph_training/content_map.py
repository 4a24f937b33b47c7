"""Fits the map from item text embeddings into a trained model's item space (docs/content.md).

    PYTHONPATH=training python3 -m recograph_training.content_map --model models/demo \\
        --embeddings item-embeddings.f32 --ids item-ids.json --categories item-categories.json \\
        --encoder encoder.json

``--embeddings`` holds one unit text embedding per id of ``--ids`` (little-endian float32, row-major),
made by the serving encoder; ``--categories`` the category of each (null for none). ``npm run
content:fit`` writes all three. Items of the model without an embedding are left out of the fit.

The map (format ``recograph-content-map/2``) is ridge regression from ``[e ; onehot(category) ; 1]``
to the item's trained row ``E_i``: ``v = e·W + O[category] + b``. The text and the category are
shrunk by strengths of their own, chosen together on a held-out tenth of the items by the mean
cosine between the mapped and the trained row; then the map is refitted on every item. The grid
holds the text-only map of format 1 (no category rows) and the category-only one (no text), so the
choice is never worse on those held-out items than either. The model folder gains the content-named
map file and a ``content`` block in ``model.json`` (written last); the weights and the version are
unchanged.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .export import content_named_file, remove_unreferenced, write_atomic

CONTENT_MAP_FORMAT = "recograph-content-map/2"
# None: the block is left out of the map (its rows are zero).
TEXT_STRENGTHS = (0.01, 0.1, 1.0, 10.0, 100.0, None)
CATEGORY_STRENGTHS = (0.001, 0.01, 0.1, 1.0, 10.0, None)
HOLDOUT_SHARE = 0.1


def map_features(x: np.ndarray, categories: list[str], item_categories: list[str | None]) -> np.ndarray:
    """``[e ; onehot(category) ; 1]`` per row: the input the map's rows multiply (``v = features · weights``)."""
    column = {category: k for k, category in enumerate(categories)}
    onehot = np.zeros((len(x), len(categories)))
    for row, category in enumerate(item_categories):
        if category in column:
            onehot[row, column[category]] = 1.0
    return np.hstack([x, onehot, np.ones((len(x), 1))])


def fit_ridge(features: np.ndarray, y: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Weights minimising ``‖features W − y‖² + Σ_k penalty_k ‖W_k‖²``; rows of infinite penalty are 0."""
    used = np.isfinite(penalty)
    a = features[:, used].astype(np.float64)
    weights = np.zeros((features.shape[1], y.shape[1]))
    weights[used] = np.linalg.solve(a.T @ a + np.diag(penalty[used]), a.T @ y.astype(np.float64))
    return weights


def penalties(input_dim: int, categories: int, text: float | None, category: float | None) -> np.ndarray:
    """The per-row penalty of a map: the text rows, the category rows, and the constant (never shrunk)."""
    off = np.inf
    return np.concatenate([np.full(input_dim, off if text is None else text),
                           np.full(categories, off if category is None else category), [0.0]])


def mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return float((a * b).sum(1).mean())


def fit_content_map(x: np.ndarray, y: np.ndarray, item_categories: list[str | None] | None = None,
                    seed: int = 0) -> tuple[np.ndarray, list[str], dict]:
    """Chooses the text and category strengths on a held-out tenth of the rows, then fits on all of them.

    Returns the weights ``[inputDim + len(categories) + 1, d]`` (the rows of ``W``, one row per
    category, then ``b``), the categories in row order (none when the category rows are left out),
    and the fit's metrics.
    """
    item_categories = item_categories if item_categories is not None else [None] * len(x)
    categories = sorted({c for c in item_categories if c is not None})
    features = map_features(x, categories, item_categories)
    order = np.random.default_rng(seed).permutation(len(x))
    held = order[: max(1, int(len(x) * HOLDOUT_SHARE))]
    kept = order[len(held):]
    grid = [(t, c) for t in TEXT_STRENGTHS for c in (CATEGORY_STRENGTHS if categories else (None,))
            if t is not None or c is not None]
    scores = {}
    for text, category in grid:
        weights = fit_ridge(features[kept], y[kept], penalties(x.shape[1], len(categories), text, category))
        scores[(text, category)] = mean_cosine(features[held] @ weights, y[held])
    text, category = max(grid, key=lambda key: scores[key])
    weights = fit_ridge(features, y, penalties(x.shape[1], len(categories), text, category))
    if category is None:  # no category rows: the map is the text-only one
        weights = np.vstack([weights[: x.shape[1]], weights[-1:]])
        categories = []

    def best(condition) -> float | None:
        values = [v for key, v in scores.items() if condition(*key)]
        return round(max(values), 4) if values else None

    metrics = {"items": int(len(x)), "heldOut": int(len(held)), "textStrength": text, "categoryStrength": category,
               "heldOutMeanCosine": round(scores[(text, category)], 4),
               "heldOutMeanCosineTextOnly": best(lambda t, c: c is None),
               "heldOutMeanCosineCategoryOnly": best(lambda t, c: t is None),
               "meanCosineByStrength": [{"text": t, "category": c, "meanCosine": round(v, 4)} for (t, c), v in scores.items()]}
    return weights.astype("<f4"), categories, metrics


def apply_map(weights: np.ndarray, categories: list[str], x: np.ndarray, item_categories: list[str | None] | None = None) -> np.ndarray:
    """The mapped rows ``e·W + O[category] + b``; an item of no category the map knows gets no offset."""
    return map_features(x, categories, item_categories if item_categories is not None else [None] * len(x)) @ weights


def add_content_map(model_dir: str | Path, embeddings: np.ndarray, ids: list[str], encoder: dict,
                    item_categories: list[str | None] | None = None) -> dict:
    """Fits the map for the model in ``model_dir`` and records it in its ``model.json``."""
    model_dir = Path(model_dir)
    metadata = json.loads((model_dir / "model.json").read_text())
    dim = metadata["embeddingDim"]
    table = metadata["tables"]["items"]
    items = np.fromfile(model_dir / table["file"], dtype="<f4").reshape(table["rows"], dim)
    row_of = {item: row for row, item in enumerate(metadata["items"])}
    pairs = [(k, row_of[item]) for k, item in enumerate(ids) if item in row_of]
    if len(pairs) < 20:
        raise ValueError(f"only {len(pairs)} of the model's items have a text embedding: too few to fit a map")
    x = embeddings[[k for k, _ in pairs]]
    y = items[[row for _, row in pairs]]
    fitted_categories = None if item_categories is None else [item_categories[k] for k, _ in pairs]
    weights, categories, metrics = fit_content_map(x, y, fitted_categories)
    entry = content_named_file(model_dir, "content-map", ".f32", lambda path: path.write_bytes(weights.tobytes()))
    metadata["content"] = {
        "encoder": {"name": encoder["source"]["model"], "sha256": encoder["model"]["sha256"]},
        "map": {**entry, "format": CONTENT_MAP_FORMAT, "inputDim": int(x.shape[1]), "categories": categories},
        "text": "title. category. tags. description",
        "fit": metrics,
    }
    write_atomic(model_dir / "model.json", json.dumps(metadata, indent=2) + "\n")
    remove_unreferenced(model_dir, metadata)
    return metadata["content"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="the model folder to add the map to")
    parser.add_argument("--embeddings", required=True, help="float32 text embeddings, one row per id")
    parser.add_argument("--ids", required=True, help="JSON list of the item ids of the rows")
    parser.add_argument("--categories", help="JSON list of the items' categories (null for none), one per id")
    parser.add_argument("--encoder", required=True, help="the encoder's encoder.json")
    args = parser.parse_args(argv)
    ids = json.loads(Path(args.ids).read_text())
    encoder = json.loads(Path(args.encoder).read_text())
    embeddings = np.fromfile(args.embeddings, dtype="<f4").reshape(len(ids), -1)
    categories = json.loads(Path(args.categories).read_text()) if args.categories else None
    if categories is not None and len(categories) != len(ids):
        raise ValueError(f"--categories holds {len(categories)} entries for {len(ids)} ids")
    content = add_content_map(args.model, embeddings, ids, encoder, categories)
    print(f"content map for {args.model}: {content['fit']['items']} items, held-out mean cosine "
          f"{content['fit']['heldOutMeanCosine']} (text only {content['fit']['heldOutMeanCosineTextOnly']}, category only "
          f"{content['fit']['heldOutMeanCosineCategoryOnly']}) at text strength {content['fit']['textStrength']}, "
          f"category strength {content['fit']['categoryStrength']}, {len(content['map']['categories'])} categories")


if __name__ == "__main__":
    main()
