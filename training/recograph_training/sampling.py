"""The ``most-recent-first/v1`` neighbourhood sampling policy (see docs/model.md), vectorised.

Hop 1: a user's edges by ``last_at`` descending, then item id ascending; the first ``F1``, without
the excluded (positive) item when training. Hop 2: for each hop-1 item, its other users by
``last_at`` descending, then user id ascending; the first ``F2``, never the root user.
Serving is the same call with no excluded item.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import Edges

SAMPLING_POLICY = "most-recent-first/v1"


@dataclass(frozen=True)
class InteractionGraph:
    """Adjacency lists of both sides, each already in the policy's order (CSR layout)."""

    num_users: int
    num_items: int
    user_ptr: np.ndarray  # int64 [U + 1]
    user_item: np.ndarray  # int64 [E]
    user_weight: np.ndarray  # float64 [E]
    user_edge_rank: np.ndarray  # int64 [E]: the position of this edge in its item's user list
    item_ptr: np.ndarray  # int64 [N + 1]
    item_user: np.ndarray  # int64 [E]

    @classmethod
    def build(cls, edges: Edges, num_users: int, num_items: int,
              user_rank: np.ndarray, item_rank: np.ndarray) -> InteractionGraph:
        """Sort ``edges`` per the policy.

        Args:
            user_rank: rank of each user index in ascending user id order, ``[U]``.
            item_rank: rank of each item index in ascending item id order, ``[N]``.
        """
        if not len(edges):
            raise ValueError("cannot sample from a graph without edges")
        by_user = np.lexsort((item_rank[edges.item], -edges.last_at, edges.user))
        by_item = np.lexsort((user_rank[edges.user], -edges.last_at, edges.item))
        item_ptr = _pointers(edges.item, num_items)
        rank_in_item = np.empty(len(edges), dtype=np.int64)
        rank_in_item[by_item] = np.arange(len(edges)) - item_ptr[edges.item[by_item]]
        return cls(
            num_users=num_users,
            num_items=num_items,
            user_ptr=_pointers(edges.user, num_users),
            user_item=edges.item[by_user],
            user_weight=edges.weight[by_user],
            user_edge_rank=rank_in_item[by_user],
            item_ptr=item_ptr,
            item_user=edges.user[by_item],
        )

    def user_degree(self) -> np.ndarray:
        return np.diff(self.user_ptr)

    def item_degree(self) -> np.ndarray:
        return np.diff(self.item_ptr)


@dataclass(frozen=True)
class Neighbourhood:
    """Sampled 2-hop neighbourhoods of ``B`` root users, in the ONNX input layout.

    Shapes: ``hop1_*`` ``[B, F1]``, ``hop2_*`` ``[B, F1, F2]``; items and users are int64 indices
    (0 in padded slots), weights are 1 and masks 0 in padded slots.
    """

    hop1_items: np.ndarray
    hop1_weight: np.ndarray
    hop1_mask: np.ndarray
    hop2_users: np.ndarray
    hop2_mask: np.ndarray


@dataclass(frozen=True)
class CompactNeighbourhood:
    """A :class:`Neighbourhood` whose identical hop-2 rows are stored once.

    The co-users of hop-1 slot ``(b, j)`` are row ``slot_row[b, j]`` of ``row_users`` (the users of
    item ``row_items[r]``). Most rows repeat across a batch (an item's co-users differ between
    roots only when the root is one of them), so layer 1 runs on ``R`` rows instead of ``B × F1``.
    """

    hop1_items: np.ndarray  # int64 [B, F1]
    hop1_weight: np.ndarray  # float32 [B, F1]
    hop1_mask: np.ndarray  # float32 [B, F1]
    slot_row: np.ndarray  # int64 [B, F1]
    row_items: np.ndarray  # int64 [R]
    row_users: np.ndarray  # int64 [R, F2]
    row_mask: np.ndarray  # float32 [R, F2]

    def expand(self) -> Neighbourhood:
        """The dense per-slot layout; padded hop-1 slots get no co-users."""
        return Neighbourhood(
            hop1_items=self.hop1_items,
            hop1_weight=self.hop1_weight,
            hop1_mask=self.hop1_mask,
            hop2_users=self.row_users[self.slot_row],
            hop2_mask=self.row_mask[self.slot_row] * self.hop1_mask[:, :, None],
        )


def _pointers(rows: np.ndarray, num_rows: int) -> np.ndarray:
    return np.r_[0, np.cumsum(np.bincount(rows, minlength=num_rows))].astype(np.int64)


def _first_k(ptr: np.ndarray, adjacent: np.ndarray, rows: np.ndarray, excluded: np.ndarray,
             k: int) -> tuple[np.ndarray, np.ndarray]:
    """Edge positions of the first ``k`` neighbours of each row that are not ``excluded[row]``.

    Returns positions ``[R, W]`` into ``adjacent`` and a boolean mask ``[R, W]``, left-aligned,
    with ``W <= k`` the longest row (at least 1).
    """
    start = ptr[rows]
    degree = ptr[rows + 1] - start
    offsets = np.arange(k + 1)
    valid = offsets < degree[:, None]
    position = np.minimum(start[:, None] + offsets, len(adjacent) - 1)
    valid &= adjacent[position] != excluded[:, None]
    slot = np.cumsum(valid, axis=1) - 1
    valid &= slot < k
    width = max(1, int(valid.sum(axis=1).max(initial=0)))
    r, c = np.nonzero(valid)
    out = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=bool)
    out[r, slot[r, c]] = position[r, c]
    mask[r, slot[r, c]] = True
    return out, mask


def sample_compact(graph: InteractionGraph, users: np.ndarray, fanouts: tuple[int, int],
                   exclude_items: np.ndarray | None = None) -> CompactNeighbourhood:
    """Sample the neighbourhoods of ``users`` (``[B]``), hop-2 rows deduplicated.

    Args:
        fanouts: ``(F1, F2)``; the returned widths are the batch's longest rows, at most these.
        exclude_items: ``[B]`` item left out of each user's hop 1 (the training positive);
            ``None`` when serving.
    """
    users = np.asarray(users, dtype=np.int64)
    f1, f2 = fanouts
    excluded = np.full(len(users), -1) if exclude_items is None else np.asarray(exclude_items)
    hop1_pos, hop1_valid = _first_k(graph.user_ptr, graph.user_item, users, excluded, f1)
    hop1_items = np.where(hop1_valid, graph.user_item[hop1_pos], 0)
    hop1_weight = np.where(hop1_valid, graph.user_weight[hop1_pos], 1.0).astype(np.float32)
    # The root changes an item's co-user list only when it is among that list's first F2;
    # otherwise the slot shares the item's plain row.
    root = np.broadcast_to(users[:, None], hop1_items.shape)
    root_in_row = hop1_valid & (graph.user_edge_rank[hop1_pos] < f2)
    key = hop1_items * (graph.num_users + 1) + np.where(root_in_row, root + 1, 0)
    unique_key, slot_row = np.unique(key, return_inverse=True)
    row_items = unique_key // (graph.num_users + 1)
    row_excluded = unique_key % (graph.num_users + 1) - 1
    hop2_pos, hop2_valid = _first_k(graph.item_ptr, graph.item_user, row_items, row_excluded, f2)
    return CompactNeighbourhood(
        hop1_items=hop1_items,
        hop1_weight=hop1_weight,
        hop1_mask=hop1_valid.astype(np.float32),
        slot_row=slot_row.reshape(hop1_items.shape),
        row_items=row_items,
        row_users=np.where(hop2_valid, graph.item_user[hop2_pos], 0),
        row_mask=hop2_valid.astype(np.float32),
    )


def sample_neighbourhood(graph: InteractionGraph, users: np.ndarray, fanouts: tuple[int, int],
                         exclude_items: np.ndarray | None = None) -> Neighbourhood:
    """Sample the neighbourhoods of ``users`` in the dense ONNX input layout."""
    return sample_compact(graph, users, fanouts, exclude_items).expand()
