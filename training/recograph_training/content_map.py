"""Fits the map from item text embeddings into a trained model's item space (docs/content.md).

    PYTHONPATH=training python3 -m recograph_training.content_map --model models/demo \\
        --embeddings item-embeddings.f32 --ids item-ids.json --categories item-categories.json \\
        --encoder encoder.json

``--embeddings`` holds one unit text embedding per id of ``--ids`` (little-endian float32, row-major),
made by the serving encoder; ``--categories`` the category of each (null for none). ``npm run
content:fit`` writes all three. Items of the model without an embedding are left out of the fit.

The map (format ``recograph-content-map/2``) is ridge regression from an item's text embedding
``e`` and its category ``c`` to its trained row ``E_i``: ``v = e·(W + W_c) + O[c] + b``, with a
shared text map ``W``, a category offset ``O[c]``, and, for the largest categories (at least
``CATEGORY_TEXT_MIN_ITEMS`` items, at most ``CATEGORY_TEXT_MAX_CATEGORIES`` of them and fewer
for a catalogue too large for the fit's memory, ``CATEGORY_TEXT_MAX_NUMBERS``), text rows
``W_c`` of their own, shrunk towards ``W``. Each block has its own ridge strength, chosen on a
held-out tenth of the items by the mean cosine between the mapped and the trained row, then the map
is refitted on every item. The choices include the text-only map of format 1 (no category rows) and
the category-only one (no text), so on those held-out items the map is never worse than either.
The model folder gains the content-named map file and a ``content`` block in ``model.json``
(written last); the weights and the version are unchanged.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .export import content_named_file, remove_unreferenced, write_atomic

CONTENT_MAP_FORMAT = "recograph-content-map/2"
# None: the block is left out of the map (its rows are zero).
TEXT_STRENGTHS = (0.01, 0.1, 1.0, 10.0, 100.0, None)
CATEGORY_STRENGTHS = (0.001, 0.01, 0.1, 1.0, 10.0, None)
CATEGORY_TEXT_STRENGTHS = (0.1, 1.0, 10.0)
HOLDOUT_SHARE = 0.1
# A category gets text rows of its own only with this many items, and only the largest this many do,
# fewer where the fit's feature matrix (items × features) would pass CATEGORY_TEXT_MAX_NUMBERS.
CATEGORY_TEXT_MIN_ITEMS = 50
CATEGORY_TEXT_MAX_CATEGORIES = 16
CATEGORY_TEXT_MAX_NUMBERS = 50_000_000


@dataclass(frozen=True)
class MapRows:
    """What a map's rows are, after the text rows ``W``: a block ``W_c`` of ``inputDim`` rows for each
    of ``category_text`` (a subset of ``categories``, in their order), one row ``O[c]`` for each of
    ``categories``, then ``b``: ``v = e·(W + W_c) + O[c] + b``."""

    categories: tuple[str, ...] = ()
    category_text: tuple[str, ...] = ()

    def count(self, input_dim: int) -> int:
        return input_dim * (1 + len(self.category_text)) + len(self.categories) + 1


def map_features(x: np.ndarray, rows: MapRows, item_categories: list[str | None]) -> np.ndarray:
    """``[e ; e·[c = c_k] for each c_k of category_text ; onehot(category) ; 1]`` per item: what the
    map's rows multiply (``v = features · weights``). An item of no category the map knows gets the
    text rows and the constant only."""
    column = {category: k for k, category in enumerate(rows.categories)}
    onehot = np.zeros((len(x), len(rows.categories)))
    for row, category in enumerate(item_categories):
        if category in column:
            onehot[row, column[category]] = 1.0
    blocks = [x * onehot[:, [column[c]]] for c in rows.category_text]
    return np.hstack([x, *blocks, onehot, np.ones((len(x), 1))])


def fit_ridge(features: np.ndarray, y: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Weights minimising ``‖features W − y‖² + Σ_k penalty_k ‖W_k‖²``; rows of infinite penalty are 0.

    The last feature is the constant, never shrunk (penalty 0), every other penalty is positive:
    the constant is the mean residual of the centred fit, which is solved in the primal or, with
    more features than rows, the dual (``W = P⁻¹Aᵀ(AP⁻¹Aᵀ + I)⁻¹Y``), whichever is smaller.
    """
    if penalty[-1] != 0 or not np.all(penalty[:-1] > 0):
        raise ValueError("fit_ridge: the last feature is the unshrunk constant, every other penalty is positive")
    used = np.flatnonzero(np.isfinite(penalty[:-1]))
    a = features[:, used].astype(np.float64)
    mean_a, mean_y = a.mean(0), y.mean(0).astype(np.float64)
    a = a - mean_a
    centred_y = y.astype(np.float64) - mean_y
    inverse = 1.0 / penalty[used]
    if a.shape[1] <= a.shape[0]:
        w = np.linalg.solve(a.T @ a + np.diag(penalty[used]), a.T @ centred_y)
    else:
        scaled = a * inverse
        w = scaled.T @ np.linalg.solve(scaled @ a.T + np.eye(len(a)), centred_y)
    weights = np.zeros((features.shape[1], y.shape[1]))
    weights[used] = w
    weights[-1] = mean_y - mean_a @ w
    return weights


def penalties(input_dim: int, rows: MapRows, text: float | None, category_text: float | None,
              category: float | None) -> np.ndarray:
    """The per-row penalty of a map of ``rows``: the text rows, the categories' text rows, the
    categories' offsets, and the constant (never shrunk). None leaves a block out."""
    def block(size: int, strength: float | None) -> np.ndarray:
        return np.full(size, np.inf if strength is None else strength)
    return np.concatenate([block(input_dim, text), block(input_dim * len(rows.category_text), category_text),
                           block(len(rows.categories), category), [0.0]])


def mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return float((a * b).sum(1).mean())


def fit_content_map(x: np.ndarray, y: np.ndarray, item_categories: list[str | None] | None = None,
                    seed: int = 0) -> tuple[np.ndarray, MapRows, dict]:
    """Chooses the map's strengths on a held-out tenth of the rows, then fits on all of them.

    First the text and the category offsets (``TEXT_STRENGTHS`` × ``CATEGORY_STRENGTHS``, either
    left out, not both); then, at the best offsets' strength, the text of each category large enough
    (``CATEGORY_TEXT_*``) with rows of its own (``TEXT_STRENGTHS`` without None ×
    ``CATEGORY_TEXT_STRENGTHS``). The best of all by held-out mean cosine is refitted on every row,
    its unused blocks dropped. Returns the weights ``[rows.count(inputDim), d]``, the rows' layout,
    and the fit's metrics.
    """
    item_categories = item_categories if item_categories is not None else [None] * len(x)
    sizes = Counter(c for c in item_categories if c is not None)
    room = max(0, min(CATEGORY_TEXT_MAX_CATEGORIES, CATEGORY_TEXT_MAX_NUMBERS // max(1, len(x) * x.shape[1]) - 1))
    large = sorted(c for c, n in sizes.most_common(room) if n >= CATEGORY_TEXT_MIN_ITEMS)
    full = MapRows(tuple(sorted(sizes)), tuple(large))
    features = map_features(x, full, item_categories)
    order = np.random.default_rng(seed).permutation(len(x))
    held = order[: max(1, int(len(x) * HOLDOUT_SHARE))]
    kept = order[len(held):]
    scores: dict[tuple, float] = {}

    def score(text, category_text, category) -> None:
        weights = fit_ridge(features[kept], y[kept], penalties(x.shape[1], full, text, category_text, category))
        scores[(text, category_text, category)] = mean_cosine(features[held] @ weights, y[held])

    for text in TEXT_STRENGTHS:
        for category in CATEGORY_STRENGTHS if full.categories else (None,):
            if text is not None or category is not None:
                score(text, None, category)
    with_offsets = [key for key in scores if key[2] is not None]
    if full.category_text and with_offsets:
        category = max(with_offsets, key=scores.get)[2]
        for text in (t for t in TEXT_STRENGTHS if t is not None):
            for category_text in CATEGORY_TEXT_STRENGTHS:
                score(text, category_text, category)
    text, category_text, category = max(scores, key=scores.get)
    weights = fit_ridge(features, y, penalties(x.shape[1], full, text, category_text, category))
    rows = MapRows(full.categories if category is not None else (), full.category_text if category_text is not None else ())
    kept_rows = np.concatenate([np.arange(x.shape[1] * (1 + len(rows.category_text))),
                                np.arange(len(rows.categories)) + x.shape[1] * (1 + len(full.category_text)),
                                [weights.shape[0] - 1]])
    weights = weights[kept_rows] if rows.categories else np.vstack([weights[: x.shape[1]], weights[-1:]])

    def best(condition) -> float | None:
        values = [v for key, v in scores.items() if condition(*key)]
        return round(max(values), 4) if values else None

    metrics = {"items": int(len(x)), "heldOut": int(len(held)),
               "textStrength": text, "categoryTextStrength": category_text, "categoryStrength": category,
               "heldOutMeanCosine": round(scores[(text, category_text, category)], 4),
               "heldOutMeanCosineTextOnly": best(lambda t, ct, c: c is None),
               "heldOutMeanCosineCategoryOnly": best(lambda t, ct, c: t is None),
               "heldOutMeanCosineWithoutCategoryText": best(lambda t, ct, c: ct is None),
               "meanCosineByStrength": [{"text": t, "categoryText": ct, "category": c, "meanCosine": round(v, 4)}
                                        for (t, ct, c), v in scores.items()]}
    return weights.astype("<f4"), rows, metrics


def apply_map(weights: np.ndarray, rows: MapRows, x: np.ndarray, item_categories: list[str | None] | None = None) -> np.ndarray:
    """The mapped rows ``e·(W + W_c) + O[c] + b``; an item of no category the map knows gets ``e·W + b``."""
    return map_features(x, rows, item_categories if item_categories is not None else [None] * len(x)) @ weights


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
    weights, rows, metrics = fit_content_map(x, y, fitted_categories)
    entry = content_named_file(model_dir, "content-map", ".f32", lambda path: path.write_bytes(weights.tobytes()))
    metadata["content"] = {
        "encoder": {"name": encoder["source"]["model"], "sha256": encoder["model"]["sha256"]},
        "map": {**entry, "format": CONTENT_MAP_FORMAT, "inputDim": int(x.shape[1]),
                "categories": list(rows.categories), "categoryText": list(rows.category_text)},
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
          f"category strength {content['fit']['categoryStrength']}, {len(content['map']['categories'])} categories, "
          f"{len(content['map']['categoryText'])} with text rows of their own (strength {content['fit']['categoryTextStrength']})")


if __name__ == "__main__":
    main()
