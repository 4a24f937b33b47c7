"""Warm start against a full retrain, on the same time-based holdout (docs/training.md).

    PYTHONPATH=training python3 -m recograph_training.warm_start_benchmark \
        --interactions .cache/demo-dataset/interactions.csv --items .cache/demo-dataset/items.csv \
        --work .cache/warm-start [--since 0.1 --new-items 0.05 --new-users 0.05 --full-epochs 20 \
        --warm-epochs 2 --warm-lr 0.001 --replay 4]

The newest ``--since`` of the edges (by time) happen after the serving model was trained, and a
random ``--new-items`` of the items launch then, and ``--new-users`` of the users join then (their
earlier edges are dropped). A base model is
trained fully on the rest and exported; then, on the whole data, a warm start from it and a full
retrain from scratch are selected and measured on the same holdout (each user's most recent edge).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .data import Dataset, Edges, format_timestamp_ms, read_csv_dataset
from .export import save_model
from .train import TrainConfig, train, training_metadata
from .warm_start import DEFAULT_EPOCHS, DEFAULT_LR, DEFAULT_REPLAY, load_serving_model, warm_start


def restrict(dataset: Dataset, keep: np.ndarray, name: str) -> Dataset:
    """``dataset`` with only the edges ``keep`` selects, and only the users and items they touch
    (items keep their order, users their id order)."""
    edges = dataset.edges.subset(keep)
    users, items = np.unique(edges.user), np.unique(edges.item)
    user_index = np.full(dataset.num_users, -1)
    user_index[users] = np.arange(len(users))
    item_index = np.full(dataset.num_items, -1)
    item_index[items] = np.arange(len(items))
    return Dataset(name, [dataset.user_ids[u] for u in users], [dataset.item_ids[i] for i in items],
                   Edges(user_index[edges.user], item_index[edges.item], edges.weight, edges.last_at), len(edges))


def run(dataset: Dataset, work: Path, since: float, new_items: float, new_users: float, full_epochs: int,
        warm_epochs: int, warm_lr: float, replay: float, seed: int = 0) -> dict:
    edges = dataset.edges
    cutoff = int(np.quantile(edges.last_at, 1.0 - since))
    rng = np.random.default_rng(seed)
    launched, joined = rng.random(dataset.num_items) < new_items, rng.random(dataset.num_users) < new_users
    # A launched item, or a user who joined, has no edge before that.
    earlier = edges.last_at <= cutoff
    full = restrict(dataset, ~((launched[edges.item] | joined[edges.user]) & earlier), dataset.name)
    base = restrict(full, full.edges.last_at <= cutoff, f"{dataset.name}-base")
    config = TrainConfig(epochs=full_epochs, seed=seed)

    started = time.perf_counter()
    base_run, base_holdout = train(base, config)
    base_metadata = training_metadata(base, config, base_run, base_holdout)
    save_model(base_run.model, config.fanouts, base.item_ids, base.user_ids, base_metadata, work / "base")
    base_seconds = time.perf_counter() - started

    started = time.perf_counter()
    serving = load_serving_model(work / "base")
    warm_run, _, warm_info = warm_start(full, serving, replace(config, epochs=warm_epochs, lr=warm_lr), replay)
    warm_seconds = time.perf_counter() - started

    started = time.perf_counter()
    full_run, _ = train(full, config)
    full_seconds = time.perf_counter() - started

    def summary(result, seconds: float) -> dict:
        best = result.history[result.best_epoch - 1]
        return {"recall": best["recall"], "ndcg": best["ndcg"], "bestEpoch": result.best_epoch,
                "epochs": len(result.history), "seconds": round(seconds, 1)}

    return {
        "dataset": dataset.name,
        "trainedThrough": format_timestamp_ms(cutoff),
        "counts": {"baseUsers": base.num_users, "baseItems": base.num_items, "baseEdges": len(base.edges),
                   "users": full.num_users, "items": full.num_items, "edges": len(full.edges)},
        "warmStart": {**summary(warm_run, warm_seconds), "lr": warm_lr, "replay": replay, **warm_info},
        "fullRetrain": summary(full_run, full_seconds),
        "baseModel": {**summary(base_run, base_seconds), "note": "on its own holdout, for reference"},
        "popularity": full_run.popularity,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", required=True)
    parser.add_argument("--items", required=True)
    parser.add_argument("--work", required=True, help="folder for the base model and results.json")
    parser.add_argument("--since", type=float, default=0.1, help="share of the edges newer than the base model")
    parser.add_argument("--new-items", type=float, default=0.05, help="share of the items launched after it")
    parser.add_argument("--new-users", type=float, default=0.05, help="share of the users who join after it")
    parser.add_argument("--full-epochs", type=int, default=TrainConfig().epochs)
    parser.add_argument("--warm-epochs", type=int, default=DEFAULT_EPOCHS)
    parser.add_argument("--warm-lr", type=float, default=DEFAULT_LR)
    parser.add_argument("--replay", type=float, default=DEFAULT_REPLAY)
    args = parser.parse_args(argv)
    work = Path(args.work)
    results = run(read_csv_dataset(args.interactions, args.items), work, args.since, args.new_items, args.new_users,
                  args.full_epochs, args.warm_epochs, args.warm_lr, args.replay)
    (work / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: results[k] for k in ("warmStart", "fullRetrain", "popularity")}, indent=2))


if __name__ == "__main__":
    main()
