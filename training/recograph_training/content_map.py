"""Fits the map from item text embeddings into a trained model's item space (docs/content.md).

    PYTHONPATH=training python3 -m recograph_training.content_map --model models/demo \\
        --embeddings item-embeddings.f32 --ids item-ids.json --encoder encoder.json

``--embeddings`` holds one unit text embedding per id of ``--ids`` (little-endian float32, row-major),
made by the serving encoder (``npm run content:fit`` writes both). Items of the model without an
embedding are left out of the fit. The map is ridge regression from the embedding (plus a constant)
to the item's trained row ``E_i``; its strength is chosen on a held-out tenth of the items by the
mean cosine between the mapped and the trained row, then the map is refitted on every item. The
model folder gains the content-named map file and a ``content`` block in ``model.json`` (written
last); the weights and the version are unchanged.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .export import content_named_file, remove_unreferenced, write_atomic

RIDGE_STRENGTHS = (0.01, 0.1, 1.0, 10.0, 100.0)
HOLDOUT_SHARE = 0.1


def fit_ridge(x: np.ndarray, y: np.ndarray, strength: float) -> np.ndarray:
    """``W`` of shape ``[inputDim + 1, d]`` minimising ``‖[x, 1] W − y‖² + strength ‖W[:-1]‖²``."""
    augmented = np.hstack([x, np.ones((len(x), 1))]).astype(np.float64)
    penalty = strength * np.eye(augmented.shape[1])
    penalty[-1, -1] = 0.0  # the constant is not shrunk
    return np.linalg.solve(augmented.T @ augmented + penalty, augmented.T @ y.astype(np.float64))


def apply_map(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    return x @ weights[:-1] + weights[-1]


def mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return float((a * b).sum(1).mean())


def fit_content_map(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, dict]:
    """Chooses the ridge strength on a held-out tenth of the rows, then fits on all of them."""
    order = np.random.default_rng(seed).permutation(len(x))
    held = order[: max(1, int(len(x) * HOLDOUT_SHARE))]
    kept = order[len(held):]
    scores = {s: mean_cosine(apply_map(fit_ridge(x[kept], y[kept], s), x[held]), y[held]) for s in RIDGE_STRENGTHS}
    best = max(scores, key=scores.get)
    metrics = {"items": int(len(x)), "heldOut": int(len(held)), "ridgeStrength": best,
               "heldOutMeanCosine": round(scores[best], 4),
               "meanCosineByStrength": {str(s): round(v, 4) for s, v in scores.items()}}
    return fit_ridge(x, y, best).astype("<f4"), metrics


def add_content_map(model_dir: str | Path, embeddings: np.ndarray, ids: list[str], encoder: dict) -> dict:
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
    weights, metrics = fit_content_map(x, y)
    entry = content_named_file(model_dir, "content-map", ".f32", lambda path: path.write_bytes(weights.tobytes()))
    metadata["content"] = {
        "encoder": {"name": encoder["source"]["model"], "sha256": encoder["model"]["sha256"]},
        "map": {**entry, "inputDim": int(x.shape[1])},
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
    parser.add_argument("--encoder", required=True, help="the encoder's encoder.json")
    args = parser.parse_args(argv)
    ids = json.loads(Path(args.ids).read_text())
    encoder = json.loads(Path(args.encoder).read_text())
    embeddings = np.fromfile(args.embeddings, dtype="<f4").reshape(len(ids), -1)
    content = add_content_map(args.model, embeddings, ids, encoder)
    print(f"content map for {args.model}: {content['fit']['items']} items, held-out mean cosine "
          f"{content['fit']['heldOutMeanCosine']} at ridge strength {content['fit']['ridgeStrength']}")


if __name__ == "__main__":
    main()
