"""Holdout split and all-item ranking metrics (LightGCN's Recall@K and NDCG@K)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .data import Edges
from .sampling import InteractionGraph

def metric_definition(k: int) -> str:
    """How :func:`rank_metrics` figures are defined, to publish next to them."""
    return (f"all-item ranking with each user's training items excluded, averaged over held-out users; "
            f"Recall@{k} = held-out items in the top {k} / held-out items; NDCG@{k} with binary relevance "
            f"and the ideal DCG over min({k}, held-out items) positions (LightGCN's definitions)")


@dataclass(frozen=True)
class Holdout:
    """Each user's most recent edge, held out for validation, and the edges left for training."""

    train: Edges
    test: Edges


def leave_latest_out(edges: Edges, item_rank: np.ndarray, min_edges: int = 3) -> Holdout:
    """Hold out the first edge of each user with at least ``min_edges`` edges, in policy order
    (``last_at`` descending, then item id ascending): the edge serving would see first."""
    order = np.lexsort((item_rank[edges.item], -edges.last_at, edges.user))
    users = edges.user[order]
    first = np.r_[True, users[1:] != users[:-1]]
    degree = np.bincount(edges.user)
    held = order[first & (degree[users] >= min_edges)]
    is_test = np.zeros(len(edges), dtype=bool)
    is_test[held] = True
    return Holdout(train=edges.subset(~is_test), test=edges.subset(is_test))


def csr_rows(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For CSR rows ``rows``: (which of ``rows`` each entry belongs to, entry position)."""
    start, count = ptr[rows], ptr[rows + 1] - ptr[rows]
    owner = np.repeat(np.arange(len(rows)), count)
    position = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + np.repeat(start, count)
    return owner, position


def rank_metrics(score_users: Callable[[np.ndarray], torch.Tensor], train: InteractionGraph,
                 test: Edges, k: int = 20, chunk: int = 1024) -> dict[str, float]:
    """Recall@k and NDCG@k of an all-item ranking, training items excluded.

    Args:
        score_users: user indices ``[C]`` → catalogue scores ``[C, N]``.
        train: the graph whose edges are excluded from each user's ranking.
        test: the held-out edges; users without one are not evaluated.
    """
    users, test_count = np.unique(test.user, return_counts=True)
    order = np.argsort(test.user, kind="stable")
    test_ptr = np.r_[0, np.cumsum(test_count)]
    test_items = test.item[order]
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discount)
    recall = ndcg = 0.0
    for lo in range(0, len(users), chunk):
        batch = users[lo: lo + chunk]
        with torch.no_grad():
            scores = score_users(batch).clone()
        owner, position = csr_rows(train.user_ptr, batch)
        scores[owner, train.user_item[position]] = -torch.inf
        top = torch.topk(scores, min(k, scores.shape[1]), dim=1).indices.numpy()
        relevant = np.zeros(scores.shape, dtype=bool)
        owner, position = csr_rows(test_ptr, np.arange(lo, lo + len(batch)))
        relevant[owner, test_items[position]] = True
        hits = np.take_along_axis(relevant, top, axis=1)
        n_test = test_count[lo: lo + len(batch)]
        recall += (hits.sum(1) / n_test).sum()
        ndcg += ((hits * discount[: hits.shape[1]]).sum(1) / ideal[np.minimum(n_test, k) - 1]).sum()
    n = max(len(users), 1)
    return {"recall": float(recall / n), "ndcg": float(ndcg / n)}


def popularity_scorer(train: InteractionGraph) -> Callable[[np.ndarray], torch.Tensor]:
    """Most-popular baseline: items by training degree, ties to the lower index."""
    degree = train.item_degree().astype(np.float64)
    score = torch.from_numpy(degree - np.arange(train.num_items) / (train.num_items + 1.0))
    return lambda users: score.expand(len(users), -1)
