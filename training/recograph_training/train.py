"""Trains the GAT with BPR on sampled neighbourhoods, validates on a holdout and exports the model.

    PYTHONPATH=training python3 -m recograph_training.train \
        --interactions interactions.csv --items items.csv --out models/demo
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .data import Dataset, id_ranks, read_csv_dataset, read_lightgcn_file
from .evaluate import Holdout, leave_latest_out, metric_definition, popularity_scorer, rank_metrics
from .export import save_model
from .model import NeighbourhoodGAT
from .sampling import CompactNeighbourhood, InteractionGraph, sample_compact

EVAL_K = 20
CHECKPOINT_FILE = "last.pt"


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; the defaults train the demo dataset in about a minute on 2 CPU cores."""

    epochs: int = 20
    batch_size: int = 1024
    lr: float = 0.005
    dim: int = 64
    heads: int = 2
    fanouts: tuple[int, int] = (48, 8)
    l2: float = 1e-4
    init_std: float = 0.1
    seed: int = 0


@dataclass
class TrainResult:
    """The best epoch's model and what the run measured."""

    model: NeighbourhoodGAT
    best_epoch: int
    history: list[dict]
    popularity: dict[str, float]
    seconds: float


def compact_tensors(nb: CompactNeighbourhood) -> tuple[torch.Tensor, ...]:
    """The model's neighbourhood arguments, in :meth:`NeighbourhoodGAT.forward` order."""
    return tuple(torch.from_numpy(a) for a in (nb.hop1_weight, nb.hop1_mask, nb.slot_row,
                                               nb.row_items, nb.row_users, nb.row_mask))


def model_scorer(model: NeighbourhoodGAT, graph: InteractionGraph,
                 fanouts: tuple[int, int]) -> Callable[[np.ndarray], torch.Tensor]:
    """Catalogue scores of users as served: their neighbourhood in ``graph``, nothing excluded."""
    def score(users: np.ndarray) -> torch.Tensor:
        return model.score_all(model.user_vectors(*compact_tensors(sample_compact(graph, users, fanouts))))
    return score


def sample_negatives(rng: np.random.Generator, users: np.ndarray, edge_keys: np.ndarray,
                     num_items: int, max_rounds: int = 100) -> np.ndarray:
    """One uniformly drawn item per user that is not among the user's items.

    Args:
        edge_keys: sorted ``user * num_items + item`` of the training edges.
    """
    negatives = rng.integers(0, num_items, len(users))
    redraw = np.arange(len(users))
    for _ in range(max_rounds):
        keys = users[redraw] * num_items + negatives[redraw]
        found = np.searchsorted(edge_keys, keys)
        redraw = redraw[edge_keys[np.minimum(found, len(edge_keys) - 1)] == keys]
        if not len(redraw):
            break
        negatives[redraw] = rng.integers(0, num_items, len(redraw))
    return negatives


def bpr_step(model: NeighbourhoodGAT, optimizer: torch.optim.Optimizer, nb: CompactNeighbourhood,
             positives: np.ndarray, negatives: np.ndarray, l2: float) -> float:
    """One Adam step on BPR loss plus L2 on the embeddings the batch touched; returns the BPR loss."""
    candidates = torch.from_numpy(np.stack([positives, negatives], axis=1))
    neighbourhood = compact_tensors(nb)
    scores = model(*neighbourhood, candidates)
    loss = F.softplus(scores[:, 1] - scores[:, 0]).mean()
    context_users = torch.from_numpy(np.unique(nb.row_users[nb.row_mask > 0]))
    penalty = (model.candidate_embedding(candidates).pow(2).sum()
               + model.item_embedding(neighbourhood[3]).pow(2).sum()
               + model.context_embedding(context_users).pow(2).sum())
    optimizer.zero_grad()
    (loss + l2 * 0.5 * penalty / len(positives)).backward()
    optimizer.step()
    return float(loss)


def dataset_fingerprint(dataset: Dataset) -> str:
    """A digest of the ids and edges, so a checkpoint is never resumed on other data."""
    digest = hashlib.sha256()
    for ids in (dataset.user_ids, dataset.item_ids):
        digest.update("\n".join(ids).encode("utf-8", "surrogatepass") + b"\0")
    e = dataset.edges
    for array in (e.user, e.item, e.weight, e.last_at):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _save_checkpoint(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def train(dataset: Dataset, config: TrainConfig, checkpoint_dir: str | Path | None = None,
          resume: bool = False, log: Callable[[str], None] = print) -> tuple[TrainResult, Holdout]:
    """Train on all but each user's latest edge, keeping the epoch with the best validation NDCG.

    With ``checkpoint_dir`` the state is saved after every epoch; with ``resume`` too, a run
    continues from the saved epoch and ends exactly as an uninterrupted run would.
    """
    torch.set_num_threads(2)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    user_rank, item_rank = id_ranks(dataset.user_ids), id_ranks(dataset.item_ids)
    holdout = leave_latest_out(dataset.edges, item_rank)
    graph = InteractionGraph.build(holdout.train, dataset.num_users, dataset.num_items, user_rank, item_rank)
    edge_keys = np.sort(holdout.train.user * dataset.num_items + holdout.train.item)
    # A user's only edge leaves an empty neighbourhood once it is the positive: nothing to learn.
    trainable = graph.user_degree()[holdout.train.user] > 1
    pos_users, pos_items = holdout.train.user[trainable], holdout.train.item[trainable]

    popularity = rank_metrics(popularity_scorer(graph), graph, holdout.test, EVAL_K)
    log(f"{dataset.name}: {dataset.num_users} users, {dataset.num_items} items, {len(dataset.edges)} edges "
        f"({len(holdout.train)} train, {len(holdout.test)} held out); popularity baseline "
        f"recall@{EVAL_K} {popularity['recall']:.4f} ndcg@{EVAL_K} {popularity['ndcg']:.4f}")

    model = NeighbourhoodGAT(dataset.num_items, dataset.num_users, config.dim, config.heads, config.init_std)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    history: list[dict] = []
    best_state = {k: v.clone() for k, v in model.state_dict().items()}
    seconds = 0.0
    checkpoint = Path(checkpoint_dir) / CHECKPOINT_FILE if checkpoint_dir else None
    fingerprint = dataset_fingerprint(dataset)
    if resume and checkpoint and checkpoint.exists():
        state = torch.load(checkpoint)
        saved = {**state["config"], "epochs": config.epochs, "fanouts": tuple(state["config"]["fanouts"])}
        if saved != asdict(config):
            raise ValueError(f"{checkpoint} was trained with {state['config']}, not {asdict(config)}")
        if state["dataset"] != fingerprint:
            raise ValueError(f"{checkpoint} was trained on other data ({state['dataset']}, not {fingerprint})")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        rng.bit_generator.state = state["rng"]
        history, best_state, seconds = state["history"], state["best_state"], state["seconds"]
        log(f"resumed from {checkpoint} after epoch {len(history)}")

    for epoch in range(len(history) + 1, config.epochs + 1):
        started = time.perf_counter()
        model.train()
        order = rng.permutation(len(pos_users))
        losses = []
        for lo in range(0, len(order), config.batch_size):
            batch = order[lo: lo + config.batch_size]
            users, positives = pos_users[batch], pos_items[batch]
            negatives = sample_negatives(rng, users, edge_keys, dataset.num_items)
            nb = sample_compact(graph, users, config.fanouts, exclude_items=positives)
            losses.append(bpr_step(model, optimizer, nb, positives, negatives, config.l2) * len(batch))
        model.eval()
        metrics = rank_metrics(model_scorer(model, graph, config.fanouts), graph, holdout.test, EVAL_K)
        elapsed = time.perf_counter() - started
        seconds += elapsed
        record = {"epoch": epoch, "loss": sum(losses) / max(len(order), 1), **metrics, "seconds": elapsed}
        history.append(record)
        is_best = all(metrics["ndcg"] > r["ndcg"] for r in history[:-1])
        if is_best:
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        log(f"epoch {epoch:3d}/{config.epochs}  loss {record['loss']:.4f}  recall@{EVAL_K} {metrics['recall']:.4f}"
            f"  ndcg@{EVAL_K} {metrics['ndcg']:.4f}  {elapsed:.1f}s{'  *best' if is_best else ''}")
        if checkpoint:
            _save_checkpoint(checkpoint, {
                "config": asdict(config), "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "rng": rng.bit_generator.state, "history": history, "best_state": best_state, "seconds": seconds,
                "dataset": fingerprint,
            })

    model.load_state_dict(best_state)
    best_epoch = max(history, key=lambda r: (r["ndcg"], -r["epoch"]))["epoch"] if history else 0
    return TrainResult(model.eval(), best_epoch, history, popularity, seconds), holdout


def training_metadata(dataset: Dataset, config: TrainConfig, result: TrainResult, holdout: Holdout) -> dict:
    """The ``training`` block of ``model.json``."""
    best = next((r for r in result.history if r["epoch"] == result.best_epoch), None)
    return {
        "createdAt": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "dataset": dataset.name,
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
            "l2": config.l2, "initStd": config.init_std, "seed": config.seed, "loss": "BPR, 1 uniform negative",
            "optimizer": "Adam",
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--checkpoint-dir", help="save the training state here after every epoch")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint-dir's state")
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


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.lightgcn_train:
        dataset = read_lightgcn_file(args.lightgcn_train, name=args.dataset_name)
    else:
        dataset = read_csv_dataset(args.interactions, args.items, name=args.dataset_name)
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, dim=args.dim,
                         heads=args.heads, fanouts=args.fanouts, l2=args.l2, seed=args.seed)
    result, holdout = train(dataset, config, args.checkpoint_dir, args.resume)
    metadata = save_model(result.model, config.fanouts, dataset.item_ids, dataset.user_ids,
                          training_metadata(dataset, config, result, holdout), args.out)
    print(f"trained {len(result.history)} epochs in {result.seconds:.0f}s; best epoch {result.best_epoch}; "
          f"wrote {args.out}/model.onnx, model.json, model.pt (version {metadata['version']})")


if __name__ == "__main__":
    main()
