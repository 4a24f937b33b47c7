"""Trains the GAT with BPR on sampled neighbourhoods, validates on a holdout and exports the model.

    PYTHONPATH=training python3 -m recograph_training.train \
        --interactions interactions.csv --items items.csv --out models/demo
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from .data import Dataset, Edges, format_timestamp_ms, id_ranks, read_csv_dataset, read_lightgcn_file
from .evaluate import Holdout, leave_latest_out, metric_definition, popularity_scorer, rank_metrics
from .export import save_model
from .fit import FitConfig, FitResult, Scorer, fit
from .model import NeighbourhoodGAT
from .recommenders import GATRecommender
from .sampling import InteractionGraph

EVAL_K = 20


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; the defaults train the demo dataset in a few minutes on 2 CPU cores.

    ``loss``/``negatives``/``schedule`` are :class:`~recograph_training.fit.FitConfig`'s.
    """

    epochs: int = 20
    batch_size: int = 64
    lr: float = 0.01
    dim: int = 64
    heads: int = 2
    fanouts: tuple[int, int] = (48, 8)
    l2: float = 1e-4
    init_std: float = 0.1
    loss: str = "softmax"
    negatives: int = 4096
    negative_sampling: str = "uniform"
    temperature: float = 0.2
    batching: str = "users"
    similarity: str = "cosine"
    tie_candidates: bool = True
    attention_temperature: float = 1.0
    schedule: str = "constant"
    optimizer: str = "sparse-adam"
    seed: int = 0

    def fit_config(self) -> FitConfig:
        return FitConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, l2=self.l2, loss=self.loss,
                         negatives=self.negatives, negative_sampling=self.negative_sampling,
                         temperature=self.temperature, batching=self.batching, schedule=self.schedule,
                         optimizer=self.optimizer, seed=self.seed)

    def model_settings(self) -> dict:
        """What defines the model beyond :meth:`fit_config` (a checkpoint must match it)."""
        settings = {"model": "gat", "dim": self.dim, "heads": self.heads, "fanouts": list(self.fanouts),
                    "init_std": self.init_std, "similarity": self.similarity, "tie_candidates": self.tie_candidates}
        # Recorded only when set, so checkpoints made before the option resume.
        if self.attention_temperature != 1.0:
            settings["attention_temperature"] = self.attention_temperature
        return settings


@dataclass
class TrainResult:
    """The best epoch's model and what the run measured."""

    model: NeighbourhoodGAT
    best_epoch: int
    history: list[dict]
    popularity: dict[str, float]
    seconds: float


def dataset_fingerprint(dataset: Dataset) -> str:
    """A digest of the ids and edges, so a checkpoint is never resumed on other data."""
    digest = hashlib.sha256()
    for ids in (dataset.user_ids, dataset.item_ids):
        digest.update("\n".join(ids).encode("utf-8", "surrogatepass") + b"\0")
    e = dataset.edges
    for array in (e.user, e.item, e.weight, e.last_at):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def trainable_positives(graph: InteractionGraph, edges: Edges) -> tuple[np.ndarray, np.ndarray]:
    """The GAT's positive pairs: a user's only edge leaves an empty neighbourhood once it is the
    positive, so there is nothing to learn from it."""
    keep = graph.user_degree()[edges.user] > 1
    return edges.user[keep], edges.item[keep]


def train_gat(dataset: Dataset, train_edges: Edges, config: TrainConfig,
              validate: Callable[[Scorer], dict[str, float]] | None = None,
              checkpoint_dir: str | Path | None = None, resume: bool = False,
              log: Callable[[str], None] = print, model: NeighbourhoodGAT | None = None,
              positive_edges: Edges | None = None) -> tuple[NeighbourhoodGAT, FitResult, InteractionGraph]:
    """Train the GAT on ``train_edges`` (see :func:`~recograph_training.fit.fit`); returns the kept
    model, the run and the training graph.

    Args:
        model: a trained model to continue (a warm start) instead of a fresh one.
        positive_edges: the positives, a subset of ``train_edges``; all of them by default. Every
            edge of ``train_edges`` still forms neighbourhoods and is never drawn as a negative.
    """
    torch.set_num_threads(2)
    torch.manual_seed(config.seed)
    graph = InteractionGraph.build(train_edges, dataset.num_users, dataset.num_items,
                                   id_ranks(dataset.user_ids), id_ranks(dataset.item_ids))
    pos_users, pos_items = trainable_positives(graph, train_edges if positive_edges is None else positive_edges)
    if model is None:
        model = NeighbourhoodGAT(dataset.num_items, dataset.num_users, config.dim, config.heads, config.init_std,
                                 config.similarity, config.tie_candidates, config.attention_temperature)
    run = fit(GATRecommender(model, graph, config.fanouts), pos_users, pos_items,
              np.sort(train_edges.user * dataset.num_items + train_edges.item), dataset.num_items,
              config.fit_config(), validate, checkpoint_dir, resume, config.model_settings(),
              dataset_fingerprint(dataset), log)
    return model, run, graph


def holdout_with_baseline(dataset: Dataset, log: Callable[[str], None] = print) -> tuple[Holdout, InteractionGraph, dict]:
    """The time-based holdout (each user's most recent edge, users with >= 3 edges), the training
    graph without it, and the popularity baseline's metrics on it (logged)."""
    holdout = leave_latest_out(dataset.edges, id_ranks(dataset.item_ids))
    graph = InteractionGraph.build(holdout.train, dataset.num_users, dataset.num_items,
                                   id_ranks(dataset.user_ids), id_ranks(dataset.item_ids))
    popularity = rank_metrics(popularity_scorer(graph), graph, holdout.test, EVAL_K)
    log(f"{dataset.name}: {dataset.num_users} users, {dataset.num_items} items, {len(dataset.edges)} edges "
        f"({len(holdout.train)} train, {len(holdout.test)} held out); popularity baseline "
        f"recall@{EVAL_K} {popularity['recall']:.4f} ndcg@{EVAL_K} {popularity['ndcg']:.4f}")
    return holdout, graph, popularity


def train(dataset: Dataset, config: TrainConfig, checkpoint_dir: str | Path | None = None,
          resume: bool = False, log: Callable[[str], None] = print) -> tuple[TrainResult, Holdout]:
    """Train on all but each user's latest edge, keeping the epoch with the best validation NDCG.

    With ``checkpoint_dir`` the state is saved after every epoch; with ``resume`` too, a run
    continues from the saved epoch and ends exactly as an uninterrupted run would.
    """
    holdout, graph, popularity = holdout_with_baseline(dataset, log)
    model, run, _ = train_gat(dataset, holdout.train, config,
                              lambda scorer: rank_metrics(scorer, graph, holdout.test, EVAL_K),
                              checkpoint_dir, resume, log)
    return TrainResult(model, run.best_epoch, run.history, popularity, run.seconds), holdout


def loss_description(config: TrainConfig) -> str:
    if config.loss == "bpr":
        return "BPR, 1 uniform negative"
    if config.negative_sampling == "all":
        return f"full softmax over every item, temperature {config.temperature}"
    drawn = "uniform" if config.negative_sampling == "uniform" else "popularity-sampled (logQ-corrected)"
    return (f"sampled softmax, {config.negatives} {drawn} negatives shared by the batch, "
            f"temperature {config.temperature}")


def training_metadata(dataset: Dataset, config: TrainConfig, result: TrainResult, holdout: Holdout,
                      timestamps: bool = True) -> dict:
    """The ``training`` block of ``model.json``.

    Args:
        timestamps: whether the edges' ``last_at`` are real times (the CSV pair) rather than
            positions (LightGCN files); only then is ``trainedThrough`` recorded.
    """
    best = next((r for r in result.history if r["epoch"] == result.best_epoch), None)
    return {
        "createdAt": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "dataset": dataset.name,
        # The newest interaction the model was built from (trained on, or held out to select it):
        # a warm start continues on what came after.
        "trainedThrough": format_timestamp_ms(int(dataset.edges.last_at.max())) if timestamps and len(dataset.edges) else None,
        "counts": {
            "users": dataset.num_users, "items": dataset.num_items, "interactions": dataset.num_interactions,
            "edges": len(dataset.edges), "trainEdges": len(holdout.train), "heldOutEdges": len(holdout.test),
        },
        "epochs": len(result.history),
        "bestEpoch": result.best_epoch,
        "seconds": round(result.seconds, 1),
        "hyperParameters": {
            "epochs": config.epochs, "batchSize": config.batch_size, "learningRate": config.lr,
            "embeddingDim": config.dim, "heads": config.heads, "fanouts": list(config.fanouts),
            "l2": config.l2, "initStd": config.init_std, "seed": config.seed, "loss": loss_description(config),
            "schedule": config.schedule, "optimizer": config.optimizer, "batching": config.batching,
            "similarity": config.similarity, "tieCandidates": config.tie_candidates,
            "negativeSampling": config.negative_sampling, "attentionTemperature": config.attention_temperature,
        },
        "weights": "best validation epoch, trained on all edges except each held-out edge",
        "validation": {
            "holdout": "each user's most recent edge (users with >= 3 edges)",
            "definition": metric_definition(EVAL_K),
            "k": EVAL_K,
            "model": {"recall": best["recall"], "ndcg": best["ndcg"]} if best else None,
            "popularity": result.popularity,
            "history": [{k: round(v, 5) if isinstance(v, float) else v for k, v in r.items()} for r in result.history],
        },
    }


def argument_parser(description: str = __doc__.splitlines()[0]) -> argparse.ArgumentParser:
    """The dataset, output and hyper-parameter options (:func:`parse_args` checks them)."""
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(description=description)
    source = parser.add_argument_group("dataset (the CSV pair, or a LightGCN-format file)")
    source.add_argument("--interactions", help="interactions.csv: userId,itemId,type,weight,timestamp")
    source.add_argument("--items", help="items.csv: itemId,title,category (its order is the catalogue's)")
    source.add_argument("--lightgcn-train", help="LightGCN train.txt instead of the CSV pair")
    source.add_argument("--dataset-name", help="name recorded in model.json (default: the data's folder)")
    parser.add_argument("--out", required=True, help="model directory to write")
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--lr", type=float, default=defaults.lr)
    parser.add_argument("--dim", type=int, default=defaults.dim)
    parser.add_argument("--heads", type=int, default=defaults.heads)
    parser.add_argument("--fanouts", default=",".join(map(str, defaults.fanouts)), help="F1,F2")
    parser.add_argument("--l2", type=float, default=defaults.l2)
    parser.add_argument("--loss", choices=("bpr", "softmax"), default=defaults.loss)
    parser.add_argument("--negatives", type=int, default=defaults.negatives,
                        help="shared negatives per batch for --loss softmax")
    parser.add_argument("--negative-sampling", choices=("uniform", "all", "popularity"),
                        default=defaults.negative_sampling,
                        help="softmax negatives: uniform, every item (full softmax), or by popularity with logQ correction")
    parser.add_argument("--temperature", type=float, default=defaults.temperature,
                        help="softmax logits are divided by this")
    parser.add_argument("--attention-temperature", type=float, default=defaults.attention_temperature,
                        help="layer-2 attention logits are divided by this (below 1: sharper attention, exported)")
    parser.add_argument("--batching", choices=("edges", "users"), default=defaults.batching,
                        help="a batch is --batch-size random positives, or --batch-size users with all theirs")
    parser.add_argument("--similarity", choices=("dot", "cosine"), default=defaults.similarity)
    parser.add_argument("--tie-candidates", action=argparse.BooleanOptionalAction, default=defaults.tie_candidates,
                        help="score candidates against the item table E itself instead of a table of their own")
    parser.add_argument("--schedule", choices=("constant", "cosine"), default=defaults.schedule)
    parser.add_argument("--optimizer", choices=("adam", "sparse-adam"), default=defaults.optimizer)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--checkpoint-dir", help="save the training state here after every epoch")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint-dir's state")
    return parser


def parse_args(argv: list[str] | None = None, parser: argparse.ArgumentParser | None = None) -> argparse.Namespace:
    parser = parser or argument_parser()
    args = parser.parse_args(argv)
    if bool(args.lightgcn_train) == bool(args.interactions or args.items):
        parser.error("give either --interactions and --items, or --lightgcn-train")
    if args.interactions and not args.items or args.items and not args.interactions:
        parser.error("--interactions and --items go together")
    if args.resume and not args.checkpoint_dir:
        parser.error("--resume needs --checkpoint-dir")
    try:
        f1, f2 = (int(f) for f in args.fanouts.split(","))
    except ValueError:
        parser.error(f"--fanouts must be two integers like 48,8, got {args.fanouts!r}")
    args.fanouts = (f1, f2)
    return args


def read_dataset(args: argparse.Namespace) -> Dataset:
    if args.lightgcn_train:
        return read_lightgcn_file(args.lightgcn_train, name=args.dataset_name)
    return read_csv_dataset(args.interactions, args.items, name=args.dataset_name)


def config_of(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, dim=args.dim,
                       heads=args.heads, fanouts=args.fanouts, l2=args.l2, loss=args.loss,
                       negatives=args.negatives, negative_sampling=args.negative_sampling,
                       temperature=args.temperature, batching=args.batching, similarity=args.similarity,
                       tie_candidates=args.tie_candidates, attention_temperature=args.attention_temperature,
                       schedule=args.schedule,
                       optimizer=args.optimizer, seed=args.seed)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    dataset = read_dataset(args)
    config = config_of(args)
    result, holdout = train(dataset, config, args.checkpoint_dir, args.resume)
    metadata = save_model(result.model, config.fanouts, dataset.item_ids, dataset.user_ids,
                          training_metadata(dataset, config, result, holdout, not args.lightgcn_train), args.out)
    print(f"trained {len(result.history)} epochs in {result.seconds:.0f}s; best epoch {result.best_epoch}; "
          f"wrote {args.out}/model.json and the files it names (version {metadata['version']})")


if __name__ == "__main__":
    main()
