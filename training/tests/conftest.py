from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recograph_training.data import Dataset, Edges, id_ranks, merge_edges
from recograph_training.sampling import InteractionGraph


def make_dataset(user: list[int], item: list[int], time: list[int], weight: list[float] | None = None,
                 num_users: int | None = None, num_items: int | None = None) -> Dataset:
    """A dataset from parallel lists, ids ``u<k>``/``i<k>`` zero-padded so id order = index order."""
    num_users = num_users or max(user) + 1
    num_items = num_items or max(item) + 1
    edges = merge_edges(np.asarray(user), np.asarray(item),
                        np.ones(len(user)) if weight is None else np.asarray(weight, dtype=float),
                        np.asarray(time), num_items)
    return Dataset("test", [f"u{k:03d}" for k in range(num_users)], [f"i{k:03d}" for k in range(num_items)],
                   edges, len(user))


def graph_of(dataset: Dataset, edges: Edges | None = None) -> InteractionGraph:
    return InteractionGraph.build(dataset.edges if edges is None else edges, dataset.num_users, dataset.num_items,
                                  id_ranks(dataset.user_ids), id_ranks(dataset.item_ids))


def planted_dataset(num_users: int = 120, num_items: int = 60, groups: int = 4, per_user: int = 10,
                    seed: int = 0) -> Dataset:
    """Users of group g interact mostly with items of group g: structure a model can learn."""
    rng = np.random.default_rng(seed)
    user = np.repeat(np.arange(num_users), per_user)
    own = rng.random(len(user)) < 0.9
    group_items = num_items // groups
    item = np.where(own, (user % groups) * group_items + rng.integers(0, group_items, len(user)),
                    rng.integers(0, num_items, len(user)))
    return make_dataset(user.tolist(), item.tolist(), rng.integers(0, 10_000, len(user)).tolist(),
                        num_users=num_users, num_items=num_items)


def write_lightgcn_splits(data: Dataset, folder: Path, seed: int = 0) -> None:
    """``data``'s edges as LightGCN-format train/valid/test files (70/10/20 % at random)."""
    split = np.random.default_rng(seed).choice(3, size=len(data.edges), p=[0.7, 0.1, 0.2])
    folder.mkdir(parents=True)
    for k, name in enumerate(("train.txt", "valid.txt", "test.txt")):
        lines: dict[int, list[str]] = {}
        for u, i in zip(data.edges.user[split == k], data.edges.item[split == k]):
            lines.setdefault(int(u), []).append(str(int(i)))
        (folder / name).write_text("".join(f"{u} {' '.join(lines[u])}\n" for u in sorted(lines)))


@pytest.fixture
def planted() -> Dataset:
    return planted_dataset()
