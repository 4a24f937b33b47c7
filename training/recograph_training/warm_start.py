"""Continues the serving model on what happened since it was trained: a warm start.

    PYTHONPATH=training python3 -m recograph_training.warm_start --from models/demo \
        --interactions interactions.csv --items items.csv --out /tmp/next [--epochs 2 --lr 0.001 --replay 4]

The model is grown to the dataset's users and items (rows of known ids are kept, new rows start
from their neighbours' rows), then trained for a few epochs on the edges newer than its
``training.trainedThrough`` plus ``--replay`` times as many older edges drawn at random (so that
the tables do not drift towards the new edges alone), at a lower learning rate, selected on the
same time-based holdout as a full run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from .data import Dataset, Edges, parse_timestamp_ms
from .evaluate import Holdout, rank_metrics
from .export import load_model, save_model
from .model import NeighbourhoodGAT
from .recommenders import GATRecommender
from .sampling import InteractionGraph
from .train import (EVAL_K, TrainConfig, TrainResult, argument_parser, config_of, holdout_with_baseline, parse_args,
                    read_dataset, train_gat, training_metadata)

# Chosen on the demo data (docs/training.md): continuing wants smaller steps than training afresh,
# and more replayed edges kept the older users' accuracy.
DEFAULT_EPOCHS = 2
DEFAULT_LR = 0.001
DEFAULT_REPLAY = 4.0


@dataclass(frozen=True)
class ServingModel:
    """What a warm start needs of the serving model."""

    model: NeighbourhoodGAT
    fanouts: tuple[int, int]
    item_ids: list[str]
    user_ids: list[str]
    version: str
    trained_through_ms: int


def load_serving_model(model_dir: str | Path) -> ServingModel:
    """The serving model's trained module and what its ``model.json`` says about it.

    The one place that knows the checkpoint's format (``export.load_model``; v2 reads ``model.pt``,
    v3 the folder's ``checkpoint`` file).
    """
    model, _ = load_model(model_dir)
    metadata = json.loads((Path(model_dir) / "model.json").read_text())
    trained_through = (metadata.get("training") or {}).get("trainedThrough")
    if not trained_through:
        raise ValueError(f"{model_dir}/model.json has no training.trainedThrough (a model trained before it was "
                         f"recorded, or on data without times): train it fully once")
    return ServingModel(model, tuple(metadata["fanouts"]), metadata["items"], metadata["users"],
                        metadata["version"], parse_timestamp_ms(trained_through))


def _neighbour_means(rows: torch.Tensor, known: np.ndarray, ptr: np.ndarray, adjacent: np.ndarray) -> torch.Tensor:
    """For each CSR row, the mean of ``rows[adjacent]`` over its ``known`` neighbours, ``[R, d]``
    (NaN where it has none)."""
    owner = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    keep = known[adjacent]
    sums = torch.zeros(len(ptr) - 1, rows.shape[1]).index_add_(0, torch.from_numpy(owner[keep]),
                                                                rows[torch.from_numpy(adjacent[keep])])
    return sums / torch.from_numpy(np.bincount(owner[keep], minlength=len(ptr) - 1)).unsqueeze(1)


def _two_hop_mean(table: torch.Tensor, known: np.ndarray, via: tuple[np.ndarray, np.ndarray],
                  back: tuple[np.ndarray, np.ndarray]) -> torch.Tensor:
    """Per row of ``table``'s side: the mean, over its neighbours on the other side, of each
    neighbour's mean over its ``known`` rows (``via``/``back``: the CSR of the other side, then of
    this side)."""
    middle = _neighbour_means(table, known, *via)
    return _neighbour_means(middle.nan_to_num(0.0), ~middle.isnan().any(1).numpy(), *back)


def _grown_rows(old: torch.Tensor, old_ids: list[str], new_ids: list[str],
                estimate: Callable[[torch.Tensor, np.ndarray], torch.Tensor]) -> tuple[torch.Tensor, int]:
    """``old``'s rows re-indexed to ``new_ids``; a new id's row from ``estimate`` (rows of the new
    index space, known mask) or, where that has nothing, the mean of the old rows. Returns the table
    and how many rows are new."""
    position = {identifier: k for k, identifier in enumerate(old_ids)}
    source = np.asarray([position.get(identifier, -1) for identifier in new_ids], dtype=np.int64)
    known = source >= 0
    table = old.mean(0).repeat(len(new_ids), 1)
    table[torch.from_numpy(known)] = old[torch.from_numpy(source[known])]
    estimated = estimate(table, known)
    fresh = torch.from_numpy(~known) & ~estimated.isnan().any(1)
    table[fresh] = estimated[fresh]
    return table, int((~known).sum())


def grow_model(serving: ServingModel, dataset: Dataset, graph: InteractionGraph) -> tuple[NeighbourhoodGAT, dict]:
    """The serving model resized to ``dataset``'s ids (in its index order).

    A new item's row is the mean, over its users, of each user's mean known item row (items consumed
    together start together); a new user's context row is the mean, over their items, of each item's
    mean known context row. Returns the model and the counts of new rows.
    """
    old = serving.model
    model = NeighbourhoodGAT(dataset.num_items, dataset.num_users, old.dim, old.heads, old.init_std,
                             old.similarity, old.tie_candidates)

    by_user, by_item = (graph.user_ptr, graph.user_item), (graph.item_ptr, graph.item_user)
    item_estimate = lambda table, known: _two_hop_mean(table, known, by_user, by_item)  # noqa: E731
    user_estimate = lambda table, known: _two_hop_mean(table, known, by_item, by_user)  # noqa: E731

    with torch.no_grad():
        items, new_items = _grown_rows(old.item_embedding.weight, serving.item_ids, dataset.item_ids, item_estimate)
        model.item_embedding.weight.copy_(items)
        if not old.tie_candidates:
            candidates, _ = _grown_rows(old.candidate_embedding.weight, serving.item_ids, dataset.item_ids,
                                        item_estimate)
            model.candidate_embedding.weight.copy_(candidates)
        users, new_users = _grown_rows(old.context_embedding.weight, serving.user_ids, dataset.user_ids,
                                       user_estimate)
        model.context_embedding.weight.copy_(users)
        model.weight_bias.copy_(old.weight_bias)
    return model, {"newItems": new_items, "newUsers": new_users}


def warm_positives(train_edges: Edges, since_ms: int, seed: int, replay: float = DEFAULT_REPLAY) -> tuple[Edges, int]:
    """The edges newer than ``since_ms`` plus ``replay`` times as many older ones drawn at random;
    returns them and how many are new."""
    fresh = np.flatnonzero(train_edges.last_at > since_ms)
    older = np.flatnonzero(train_edges.last_at <= since_ms)
    drawn = np.random.default_rng(seed).choice(older, min(round(replay * len(fresh)), len(older)), replace=False)
    return train_edges.subset(np.sort(np.r_[fresh, drawn])), len(fresh)


def continued_config(config: TrainConfig, serving: ServingModel) -> TrainConfig:
    """``config`` with the shape of the serving model, which a warm start keeps."""
    model = serving.model
    return replace(config, fanouts=serving.fanouts, dim=model.dim, heads=model.heads, init_std=model.init_std,
                   similarity=model.similarity, tie_candidates=model.tie_candidates)


def warm_start(dataset: Dataset, serving: ServingModel, config: TrainConfig, replay: float = DEFAULT_REPLAY,
               log: Callable[[str], None] = print) -> tuple[TrainResult, Holdout, dict]:
    """Continue ``serving`` on ``dataset`` (see the module docstring); returns the run, its holdout
    and the ``warmStart`` block of the metadata."""
    holdout, graph, popularity = holdout_with_baseline(dataset, log)
    model, grown = grow_model(serving, dataset, graph)
    validate = lambda scorer: rank_metrics(scorer, graph, holdout.test, EVAL_K)  # noqa: E731
    before = validate(GATRecommender(model.eval(), graph, serving.fanouts).scorer())
    positives, new_edges = warm_positives(holdout.train, serving.trained_through_ms, config.seed, replay)
    log(f"warm start from {serving.version}: {grown['newUsers']} new users, {grown['newItems']} new items, "
        f"{new_edges} edges since its training, {len(positives) - new_edges} older ones replayed; before: "
        f"recall@{EVAL_K} {before['recall']:.4f} ndcg@{EVAL_K} {before['ndcg']:.4f}")
    if new_edges == 0:
        log("nothing new since the serving model was trained; continuing on the replayed edges only")
    config = continued_config(config, serving)
    model, run, _ = train_gat(dataset, holdout.train, config, validate, log=log, model=model, positive_edges=positives)
    info = {"from": serving.version, "edgesSince": new_edges, "replayedEdges": len(positives) - new_edges,
            "before": before, **grown}
    return TrainResult(model, run.best_epoch, run.history, popularity, run.seconds), holdout, info


def main(argv: list[str] | None = None) -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--from", dest="serving", required=True, help="the serving model's folder (MODEL_DIR)")
    parser.add_argument("--replay", type=float, default=DEFAULT_REPLAY,
                        help="older edges trained on, per edge since the serving model was trained")
    parser.set_defaults(epochs=DEFAULT_EPOCHS, lr=DEFAULT_LR)
    args = parse_args(argv, parser)
    dataset = read_dataset(args)
    serving = load_serving_model(args.serving)
    config = continued_config(config_of(args), serving)
    result, holdout, info = warm_start(dataset, serving, config, args.replay)
    training = {**training_metadata(dataset, config, result, holdout),
                "warmStart": info,
                "weights": "warm start: the serving model grown to the new ids, continued on the edges since "
                           f"its trainedThrough plus {args.replay:g} times as many older ones; best validation epoch"}
    metadata = save_model(result.model, serving.fanouts, dataset.item_ids, dataset.user_ids, training, args.out)
    print(f"warm-started {len(result.history)} epochs in {result.seconds:.0f}s; best epoch {result.best_epoch}; "
          f"wrote {args.out} (version {metadata['version']})")


if __name__ == "__main__":
    main()
