"""Models and split of the item cold-start benchmark (docs/model.md, "New items: measured").

    PYTHONPATH=training python3 -m recograph_training.cold_start --dataset lastfm \
        --data-dir ../shared/datasets --work .cache/cold-start --k 1,3,10

Holds a random 10 % of the items out of training entirely, trains a base model on the protocol's fit
split without them (the accuracy benchmark's GAT recipe and epoch selection), and for every k a
model retrained on the same data plus k random interactions of each held-out item. Writes
``<work>/<dataset>/split.json`` (the held-out items and the draw order of their interactions) and
the models under ``<work>/<dataset>/{base,retrained-k<k>}/``; ``npm run bench:cold-start``
runs this, then evaluates every model through the served path.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .benchmark import PROTOCOLS, interaction_graph, run_summary
from .data import Dataset, Edges, merge_edges, read_lightgcn_file
from .evaluate import rank_metrics
from .export import save_model
from .train import EVAL_K, TrainConfig, loss_description, train_gat

HELD_OUT_FRACTION = 0.1


def hold_out_items(num_items: int, fraction: float, seed: int) -> np.ndarray:
    """A uniformly random ``fraction`` of the catalogue (at least one item), sorted."""
    count = max(1, round(num_items * fraction))
    return np.sort(np.random.default_rng([seed, 0]).choice(num_items, size=count, replace=False))


def draw_order(edges: Edges, seed: int) -> np.ndarray:
    """For each edge, its place in a random order of its item's edges (0 = given first).

    An item is given the edges with ``draw < k``: one draw serves every k, so the interactions given
    at k = 1 are among those given at k = 3, and so on.
    """
    priority = np.random.default_rng([seed, 1]).permutation(len(edges))
    order = np.lexsort((priority, edges.item))
    items = edges.item[order]
    starts = np.flatnonzero(np.r_[True, items[1:] != items[:-1]])
    counts = np.diff(np.r_[starts, len(items)])
    draw = np.empty(len(edges), dtype=np.int64)
    draw[order] = np.arange(len(items)) - np.repeat(starts, counts)
    return draw


def join_edges(parts: list[Edges], num_items: int) -> Edges:
    """Disjoint edge sets as one, sorted by (user, item) as :class:`Edges` requires."""
    cat = lambda field: np.concatenate([getattr(p, field) for p in parts])  # noqa: E731
    return merge_edges(cat("user"), cat("item"), cat("weight"), cat("last_at"), num_items)


def without_items(dataset: Dataset, edges: Edges, held: np.ndarray) -> tuple[Dataset, np.ndarray]:
    """The catalogue minus ``held``, reindexed densely, with ``edges`` (none of a held item) in it;
    and the new index of each old one (-1 for a held item)."""
    keep = np.ones(dataset.num_items, dtype=bool)
    keep[held] = False
    index = np.full(dataset.num_items, -1, dtype=np.int64)
    index[keep] = np.arange(keep.sum())
    kept = Edges(edges.user, index[edges.item], edges.weight, edges.last_at)
    item_ids = [i for i, k in zip(dataset.item_ids, keep) if k]
    return Dataset(dataset.name, dataset.user_ids, item_ids, kept, len(kept)), index


@dataclass(frozen=True)
class ColdStartData:
    """Every interaction of the dataset's files, with what each file contributes."""

    dataset: Dataset  # all files, times = position in the user's lines (train, valid, test)
    in_fit: np.ndarray  # bool per edge
    in_select: np.ndarray | None


def read_data(dataset_name: str, data_dir: Path) -> ColdStartData:
    protocol = PROTOCOLS[dataset_name]
    root = data_dir / dataset_name
    names = [*protocol.known, protocol.test]
    parts = {name: read_lightgcn_file(root / name) for name in names}
    num_users = max(p.num_users for p in parts.values())
    num_items = max(p.num_items for p in parts.values())
    every = read_lightgcn_file([root / n for n in names], num_items, num_users, dataset_name)
    keys = lambda e: e.user * num_items + e.item  # noqa: E731
    member = lambda files: np.isin(keys(every.edges), np.concatenate([keys(parts[f].edges) for f in files]))  # noqa: E731
    return ColdStartData(every, member(protocol.fit), member([protocol.select]) if protocol.select else None)


def run(dataset_name: str, data_dir: Path, work: Path, ks: list[int], epochs: int | None, seed: int = 0,
        log: Callable[[str], None] = print) -> dict:
    protocol = PROTOCOLS[dataset_name]
    data = read_data(dataset_name, data_dir)
    dataset, edges = data.dataset, data.dataset.edges
    held = hold_out_items(dataset.num_items, HELD_OUT_FRACTION, seed)
    is_held = np.isin(edges.item, held)
    held_edges = edges.subset(is_held)
    draw = draw_order(held_edges, seed)
    fit_edges = edges.subset(data.in_fit & ~is_held)
    select_edges = edges.subset(data.in_select & ~is_held) if data.in_select is not None else None
    recipe = {**protocol.recipes["gat"], **({"epochs": epochs} if epochs else {})}
    config = replace(TrainConfig(seed=seed), **recipe)
    out = work / dataset_name
    log(f"{dataset_name}: {len(held)} of {dataset.num_items} items held out ({len(held_edges)} interactions); "
        f"base fit on {len(fit_edges)} edges; GAT {recipe}")

    def train(name: str, train_data: Dataset, select: Edges | None) -> dict:
        log(f"--- {name}")
        graph = interaction_graph(train_data, train_data.edges)
        validate = (lambda scorer: rank_metrics(scorer, graph, select, EVAL_K)) if select is not None else None
        model, result, _ = train_gat(train_data, train_data.edges, config, validate, out / "checkpoints" / name,
                                     resume=True, log=log)
        summary = run_summary(result)
        save_model(model, config.fanouts, train_data.item_ids, train_data.user_ids, {
            "dataset": dataset_name, "protocol": f"cold-start benchmark, {name}", "epochs": summary["epochs"],
            "bestEpoch": result.best_epoch, "seconds": summary["trainingSeconds"],
            "hyperParameters": {**recipe, "fanouts": list(config.fanouts), "loss": loss_description(config)},
        }, out / name)
        return {"model": name, "trainEdges": len(train_data.edges), **summary}

    base_data, index = without_items(dataset, fit_edges, held)
    base_select = None
    if select_edges is not None:
        base_select = Edges(select_edges.user, index[select_edges.item], select_edges.weight, select_edges.last_at)
    models = [train("base", base_data, base_select)]
    for k in ks:
        given = held_edges.subset(draw < k)
        retrained = Dataset(dataset_name, dataset.user_ids, dataset.item_ids,
                            join_edges([fit_edges, given], dataset.num_items), 0)
        models.append(train(f"retrained-k{k}", retrained, select_edges))

    split = {
        "dataset": dataset_name,
        "seed": seed,
        "heldOutFraction": HELD_OUT_FRACTION,
        "files": [*protocol.known, protocol.test],
        "fit": list(protocol.fit),
        "select": protocol.select,
        "known": list(protocol.known),
        "heldOutItems": [dataset.item_ids[i] for i in held],
        # [user id, item id, draw]: the item is given the interactions with draw < k; the rest are targets.
        "heldOutInteractions": [[dataset.user_ids[u], dataset.item_ids[i], int(d)]
                                for u, i, d in zip(held_edges.user, held_edges.item, draw)],
        "recipe": {**recipe, "loss": loss_description(config)},
        "models": models,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "split.json").write_text(json.dumps(split) + "\n")
    return split


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(PROTOCOLS), required=True)
    parser.add_argument("--data-dir", default="../shared/datasets", help="folder holding <dataset>/train.txt etc.")
    parser.add_argument("--work", default=".cache/cold-start", help="checkpoints, models and split.json")
    parser.add_argument("--k", default="1,3,10", help="comma-separated interactions given to each held-out item")
    parser.add_argument("--epochs", type=int, help="cap every model's epochs (default: the accuracy recipe's)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        ks = [int(k) for k in args.k.split(",") if k]
    except ValueError:
        parser.error(f"--k takes integers like 1,3,10, got {args.k!r}")
    if not ks or min(ks) < 1:
        parser.error("--k needs at least one k >= 1")
    run(args.dataset, Path(args.data_dir), Path(args.work), ks, args.epochs, args.seed)


if __name__ == "__main__":
    main()
