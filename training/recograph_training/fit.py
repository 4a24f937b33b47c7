"""The training loop every model shares: sampled negatives, BPR or sampled-softmax loss, Adam,
an optional learning-rate schedule, per-epoch validation and checkpoints that resume exactly."""

from __future__ import annotations

import ctypes
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

CHECKPOINT_FILE = "last.pt"

Scorer = Callable[[np.ndarray], Tensor]


@dataclass(frozen=True)
class FitConfig:
    """Optimisation settings shared by all models.

    Args:
        loss: ``"bpr"`` (one uniform negative per positive) or ``"softmax"`` (sampled softmax over
            the positive and ``negatives`` items shared by the batch, logits divided by
            ``temperature``).
        negative_sampling: how the softmax's shared negatives are drawn: ``"uniform"``
            (``negatives`` items), ``"all"`` (every item once: the full softmax; ``negatives`` is
            ignored) or ``"popularity"`` (``negatives`` items drawn in proportion to their
            training degree to the power 0.75, every logit corrected by ``-log`` of its item's
            expected count among them, the logQ correction).
        batching: ``"edges"`` (``batch_size`` positives drawn at random) or ``"users"``
            (``batch_size`` users drawn at random, with all their positives).
        schedule: ``"constant"`` or ``"cosine"`` (learning rate decays to 0 over ``epochs``).
        optimizer: ``"adam"``, or ``"sparse-adam"``: embedding tables get sparse gradients and
            lazy Adam (only the rows a batch touched are updated), other parameters plain Adam. On
            CPU a dense Adam step over every table costs more than the batch itself.
    """

    epochs: int = 20
    batch_size: int = 1024
    lr: float = 0.005
    l2: float = 1e-4
    loss: str = "bpr"
    negatives: int = 1
    negative_sampling: str = "uniform"
    temperature: float = 1.0
    batching: str = "edges"
    schedule: str = "constant"
    optimizer: str = "adam"
    seed: int = 0


class Recommender(Protocol):
    """A trainable model as the loop sees it."""

    module: nn.Module

    def batch_scores(self, users: np.ndarray, positives: np.ndarray,
                     negatives: np.ndarray) -> tuple[Tensor, Tensor, Tensor]:
        """Scores of the positives ``[B]`` and negatives ``[B, M]`` (``negatives`` is ``[B, M]``
        per row, or ``[M]`` shared by the batch), and the L2 penalty (sum of squares) of the
        embeddings the batch used."""

    def scorer(self) -> Scorer:
        """User indices ``[C]`` → catalogue scores ``[C, N]``, for evaluation (no gradients)."""


@dataclass
class FitResult:
    best_epoch: int
    history: list[dict]
    seconds: float


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


def shared_negative_hits(positives: np.ndarray, negatives: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(row, column)`` of every shared negative that is the row's own positive, found by sorting
    the ``M`` negatives once instead of comparing a ``[B, M]`` grid."""
    order = np.argsort(negatives, kind="stable")
    ordered = negatives[order]
    first = np.searchsorted(ordered, positives, "left")
    counts = np.searchsorted(ordered, positives, "right") - first
    rows = np.repeat(np.arange(len(positives)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, order[np.repeat(first, counts) + offsets]


def batch_loss(positive: Tensor, negative: Tensor, loss: str, positives: np.ndarray,
               negatives: np.ndarray, temperature: float = 1.0,
               log_expected: np.ndarray | None = None) -> Tensor:
    """BPR (``negative`` ``[B, 1]``) or sampled softmax (``[B, M]``, shared negatives that happen
    to be the row's positive are masked).

    Args:
        log_expected: ``log`` of each item's expected count among the ``M`` negatives ``[N]``,
            subtracted from every logit (the logQ correction of non-uniform sampling); ``None``
            for uniform or full negatives, where it is one constant and cancels.
    """
    if loss == "bpr":
        return F.softplus(negative - positive.unsqueeze(1)).mean()
    # No [B, 1 + M] concatenation or [B, M] mask: every pass over the logits costs more than the
    # matmul that made them.
    logits = negative / temperature
    own = positive / temperature
    if log_expected is not None:
        logits = logits - torch.from_numpy(log_expected[negatives])
        own = own - torch.from_numpy(log_expected[positives])
    rows, columns = shared_negative_hits(positives, negatives)
    logits[torch.from_numpy(rows), torch.from_numpy(columns)] = -torch.inf
    return (torch.logaddexp(own, torch.logsumexp(logits, dim=1)) - own).mean()


NEGATIVE_SAMPLING = ("uniform", "all", "popularity")
POPULARITY_EXPONENT = 0.75


class SharedNegatives:
    """Draws a batch's shared softmax negatives per ``FitConfig.negative_sampling``."""

    def __init__(self, config: FitConfig, pos_items: np.ndarray, num_items: int) -> None:
        if config.negative_sampling not in NEGATIVE_SAMPLING:
            raise ValueError(f"negative_sampling must be one of {NEGATIVE_SAMPLING}, got {config.negative_sampling!r}")
        self.mode, self.count, self.num_items = config.negative_sampling, config.negatives, num_items
        self.log_expected: np.ndarray | None = None
        if self.mode == "popularity":
            weight = np.bincount(pos_items, minlength=num_items).astype(np.float64) ** POPULARITY_EXPONENT
            weight += weight[weight > 0].min() if (weight > 0).any() else 1.0  # items never trained on stay drawable
            self.probability = weight / weight.sum()
            self.log_expected = np.log(self.count * self.probability).astype(np.float32)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        if self.mode == "all":
            return np.arange(self.num_items)
        if self.mode == "popularity":
            return rng.choice(self.num_items, self.count, p=self.probability)
        return rng.integers(0, self.num_items, self.count)


def learning_rate(config: FitConfig, progress: float) -> float:
    """The rate at ``progress`` ∈ [0, 1) of the whole run."""
    if config.schedule == "cosine":
        return config.lr * 0.5 * (1.0 + math.cos(math.pi * progress))
    return config.lr


def keep_freed_memory() -> None:
    """Stop glibc from returning large freed blocks to the system. Every training step frees and
    reallocates ``[B, M]`` logits of ~100 MB; served by fresh ``mmap`` pages, each step's
    element-wise passes ran several times slower on page faults (a Gowalla sampled-softmax step
    with 8,192 negatives: ~720 → ~330 ms). Peak memory is unchanged. A no-op off glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_max = -1, -4  # malloc.h
    libc.mallopt(m_mmap_max, 0)
    libc.mallopt(m_trim_threshold, 2**31 - 1)


def make_optimizers(model: nn.Module, config: FitConfig) -> list[torch.optim.Optimizer]:
    """Adam, or SparseAdam for the embedding tables plus Adam for the rest (``sparse-adam``)."""
    if config.optimizer == "adam":
        return [torch.optim.Adam(model.parameters(), lr=config.lr)]
    tables = [m for m in model.modules() if isinstance(m, nn.Embedding)]
    for table in tables:
        table.sparse = True
    sparse = {id(t.weight) for t in tables}
    rest = [p for p in model.parameters() if id(p) not in sparse]
    optimizers: list[torch.optim.Optimizer] = [torch.optim.SparseAdam([t.weight for t in tables], lr=config.lr)]
    if rest:
        optimizers.append(torch.optim.Adam(rest, lr=config.lr))
    return optimizers


@dataclass(frozen=True)
class EpochBatches:
    """Row indices of each batch of an epoch, per ``FitConfig.batching``."""

    rows_by_user: np.ndarray  # row indices grouped by user ("users"), or all rows ("edges")
    user_ptr: np.ndarray | None  # group boundaries in ``rows_by_user`` ("users" only)
    batch_size: int

    @property
    def steps(self) -> int:
        units = len(self.rows_by_user) if self.user_ptr is None else len(self.user_ptr) - 1
        return max(1, math.ceil(units / self.batch_size))

    def epoch(self, rng: np.random.Generator):
        if self.user_ptr is None:
            order = rng.permutation(len(self.rows_by_user))
            for lo in range(0, len(order), self.batch_size):
                yield order[lo: lo + self.batch_size]
            return
        order = rng.permutation(len(self.user_ptr) - 1)
        for lo in range(0, len(order), self.batch_size):
            groups = order[lo: lo + self.batch_size]
            starts, ends = self.user_ptr[groups], self.user_ptr[groups + 1]
            yield self.rows_by_user[np.concatenate([np.arange(s, e) for s, e in zip(starts, ends)])]


def epoch_batches(pos_users: np.ndarray, config: FitConfig) -> EpochBatches:
    if config.batching == "edges":
        return EpochBatches(np.arange(len(pos_users)), None, config.batch_size)
    if config.batching != "users":
        raise ValueError(f"batching must be 'edges' or 'users', got {config.batching!r}")
    rows = np.argsort(pos_users, kind="stable")
    _, counts = np.unique(pos_users[rows], return_counts=True)
    return EpochBatches(rows, np.r_[0, np.cumsum(counts)], config.batch_size)


def _save_checkpoint(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def fit(recommender: Recommender, pos_users: np.ndarray, pos_items: np.ndarray, edge_keys: np.ndarray,
        num_items: int, config: FitConfig, validate: Callable[[Scorer], dict[str, float]] | None = None,
        checkpoint_dir: str | Path | None = None, resume: bool = False, identity: dict | None = None,
        fingerprint: str = "", log: Callable[[str], None] = print, progress_seconds: float = 60.0) -> FitResult:
    """Train ``recommender`` on the positive pairs; keep the epoch with the best validation NDCG
    (the last epoch without ``validate``).

    Args:
        edge_keys: sorted ``user * num_items + item`` of all training edges (never negatives).
        validate: scorer → ``{"recall", "ndcg"}``, run after every epoch.
        identity: everything that defines the run (hyper-parameters); a checkpoint made with other
            settings (``epochs`` aside) or on other data (``fingerprint``) is refused.
        progress_seconds: within a long epoch, report progress this often.
    """
    keep_freed_memory()
    model = recommender.module
    rng = np.random.default_rng(config.seed)
    optimizers = make_optimizers(model, config)
    identity = {**(identity or {}), **asdict(config)}
    history: list[dict] = []
    best_state = {k: v.clone() for k, v in model.state_dict().items()}
    seconds = 0.0
    checkpoint = Path(checkpoint_dir) / CHECKPOINT_FILE if checkpoint_dir else None
    if resume and checkpoint and checkpoint.exists():
        state = torch.load(checkpoint)
        # A cosine schedule depends on the planned length; a constant one resumes into any length.
        ignored = {"epochs"} if config.schedule == "constant" else set()
        # A setting added after the checkpoint was made had its default then.
        saved = {**{k: v for k, v in asdict(FitConfig()).items() if k not in state["config"]}, **state["config"]}
        saved = {k: v for k, v in saved.items() if k not in ignored}
        wanted = {k: (list(v) if isinstance(v, tuple) else v) for k, v in identity.items() if k not in ignored}
        saved = {k: (list(v) if isinstance(v, tuple) else v) for k, v in saved.items()}
        if saved != wanted:
            raise ValueError(f"{checkpoint} was trained with {state['config']}, not {identity}")
        if state["dataset"] != fingerprint:
            raise ValueError(f"{checkpoint} was trained on other data ({state['dataset']}, not {fingerprint})")
        model.load_state_dict(state["model"])
        for optimizer, saved_state in zip(optimizers, state["optimizers"]):
            optimizer.load_state_dict(saved_state)
        rng.bit_generator.state = state["rng"]
        history, best_state, seconds = state["history"], state["best_state"], state["seconds"]
        log(f"resumed from {checkpoint} after epoch {len(history)}")

    batches = epoch_batches(pos_users, config)
    shared_negatives = SharedNegatives(config, pos_items, num_items) if config.loss == "softmax" else None
    steps = batches.steps
    for epoch in range(len(history) + 1, config.epochs + 1):
        started = time.perf_counter()
        model.train()
        total = 0.0
        seen = 0
        last_report = started
        for step, batch in enumerate(batches.epoch(rng)):
            rate = learning_rate(config, ((epoch - 1) * steps + step) / (config.epochs * steps))
            for optimizer in optimizers:
                for group in optimizer.param_groups:
                    group["lr"] = rate
            users, positives = pos_users[batch], pos_items[batch]
            if config.loss == "bpr":
                negatives = sample_negatives(rng, users, edge_keys, num_items)[:, None]
            else:
                negatives = shared_negatives.draw(rng)
            positive, negative, penalty = recommender.batch_scores(users, positives, negatives)
            loss = batch_loss(positive, negative, config.loss, positives, negatives, config.temperature,
                              shared_negatives.log_expected if shared_negatives else None)
            for optimizer in optimizers:
                optimizer.zero_grad()
            (loss + config.l2 * 0.5 * penalty / len(batch)).backward()
            for optimizer in optimizers:
                optimizer.step()
            total += float(loss) * len(batch)
            seen += len(batch)
            if time.perf_counter() - last_report > progress_seconds:
                last_report = time.perf_counter()
                log(f"  epoch {epoch}: {step + 1}/{steps} batches, loss {total / seen:.4f}, "
                    f"{last_report - started:.0f}s")
        train_seconds = time.perf_counter() - started
        record: dict = {"epoch": epoch, "loss": total / max(seen, 1), "trainSeconds": train_seconds}
        if validate:
            model.eval()
            record.update(validate(recommender.scorer()))
        elapsed = time.perf_counter() - started
        seconds += elapsed
        record["seconds"] = elapsed
        history.append(record)
        is_best = validate is None or all(record["ndcg"] > r["ndcg"] for r in history[:-1])
        if is_best:
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        metrics = f"  recall@20 {record['recall']:.4f}  ndcg@20 {record['ndcg']:.4f}" if validate else ""
        log(f"epoch {epoch:3d}/{config.epochs}  loss {record['loss']:.4f}{metrics}  {elapsed:.1f}s"
            f"{'  *best' if is_best and validate else ''}")
        if checkpoint:
            _save_checkpoint(checkpoint, {
                "config": identity, "model": model.state_dict(),
                "optimizers": [optimizer.state_dict() for optimizer in optimizers],
                "rng": rng.bit_generator.state, "history": history, "best_state": best_state,
                "seconds": seconds, "dataset": fingerprint,
            })

    model.load_state_dict(best_state)
    model.eval()
    if validate and history:
        best_epoch = max(history, key=lambda r: (r["ndcg"], -r["epoch"]))["epoch"]
    else:
        best_epoch = len(history)
    return FitResult(best_epoch, history, seconds)
