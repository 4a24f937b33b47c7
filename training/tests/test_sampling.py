from __future__ import annotations

import numpy as np
import pytest

from recograph_training.data import Dataset, merge_edges
from recograph_training.sampling import sample_compact, sample_neighbourhood

from conftest import graph_of, make_dataset


def reference_neighbourhood(dataset: Dataset, user: int, fanouts: tuple[int, int], excluded_item: int | None):
    """The policy in plain Python: (hop-1 items, weights, per-item co-user lists)."""
    e = dataset.edges
    edges = list(zip(e.user.tolist(), e.item.tolist(), e.weight.tolist(), e.last_at.tolist()))
    mine = sorted((-t, dataset.item_ids[i], i, w) for u, i, w, t in edges if u == user and i != excluded_item)
    hop1 = [(i, w) for _, _, i, w in mine[: fanouts[0]]]
    hop2 = []
    for item, _ in hop1:
        theirs = sorted((-t, dataset.user_ids[u], u) for u, i, _, t in edges if i == item and u != user)
        hop2.append([u for _, _, u in theirs[: fanouts[1]]])
    return hop1, hop2


def as_lists(nb, b: int):
    real = nb.hop1_mask[b] > 0
    hop1 = list(zip(nb.hop1_items[b][real].tolist(), nb.hop1_weight[b][real].tolist()))
    hop2 = [nb.hop2_users[b, j][nb.hop2_mask[b, j] > 0].tolist() for j in np.flatnonzero(real)]
    return hop1, hop2


def shuffled_id_dataset(seed: int) -> Dataset:
    """Random edges with many equal times, and ids whose string order differs from index order."""
    rng = np.random.default_rng(seed)
    num_users, num_items, n = 15, 12, 90
    edges = merge_edges(rng.integers(0, num_users, n), rng.integers(0, num_items, n),
                        rng.integers(1, 4, n).astype(float), rng.integers(0, 4, n), num_items)
    user_ids = [str(k) for k in rng.permutation(num_users) * 7]  # "0" < "14" < "21" < "7" ...
    item_ids = [f"item{k}" for k in rng.permutation(num_items)]
    return Dataset("random", user_ids, item_ids, edges, n)


def test_sampling_matches_the_policy_written_out_in_python():
    for seed in range(5):
        dataset = shuffled_id_dataset(seed)
        graph = graph_of(dataset)
        users = np.arange(dataset.num_users)
        for fanouts in [(3, 2), (5, 4), (50, 50)]:
            served = sample_neighbourhood(graph, users, fanouts)
            positives = graph.user_item[np.minimum(graph.user_ptr[users], len(graph.user_item) - 1)]
            trained = sample_neighbourhood(graph, users, fanouts, exclude_items=positives)
            for b, user in enumerate(users):
                assert as_lists(served, b) == reference_neighbourhood(dataset, user, fanouts, None)
                assert as_lists(trained, b) == reference_neighbourhood(dataset, user, fanouts, int(positives[b]))


def test_order_is_latest_first_then_id_ascending_and_fanouts_cap_both_hops():
    # user 0: items 3 and 1 at time 5 (tie: "i001" < "i003"), item 2 at time 9, item 0 at time 1.
    dataset = make_dataset(user=[0, 0, 0, 0, 1, 2, 3, 4], item=[3, 1, 2, 0, 2, 2, 2, 2],
                           time=[5, 5, 9, 1, 3, 3, 8, 1])
    nb = sample_neighbourhood(graph_of(dataset), np.array([0]), (3, 2))
    assert nb.hop1_items[0].tolist() == [2, 1, 3]
    assert nb.hop2_users[0, 0].tolist() == [3, 1]  # time 8 first, then the tie at 3 by id: u001 < u002
    assert nb.hop2_mask[0, 1:].sum() == 0  # items 1 and 3 have no other user
    assert nb.hop1_items.shape == (1, 3) and nb.hop2_users.shape == (1, 3, 2)


def test_training_excludes_the_positive_and_the_root_is_never_a_co_user():
    dataset = make_dataset(user=[0, 0, 1, 1, 0], item=[0, 1, 0, 1, 2], time=[1, 2, 3, 4, 5])
    graph = graph_of(dataset)
    nb = sample_neighbourhood(graph, np.array([0, 0]), (4, 4), exclude_items=np.array([1, 2]))
    assert nb.hop1_items[0][nb.hop1_mask[0] > 0].tolist() == [2, 0]
    assert nb.hop1_items[1][nb.hop1_mask[1] > 0].tolist() == [1, 0]
    assert 0 not in nb.hop2_users[nb.hop2_mask > 0]


def test_padding_slots_have_index_zero_weight_one_and_no_co_users():
    dataset = make_dataset(user=[0, 0, 0, 1, 2], item=[0, 1, 2, 1, 1], time=[1, 2, 3, 4, 5], weight=[2, 3, 4, 5, 6])
    nb = sample_neighbourhood(graph_of(dataset), np.array([0, 1]), (8, 8))
    assert nb.hop1_mask.tolist() == [[1, 1, 1], [1, 0, 0]]
    assert nb.hop1_weight.tolist() == [[4, 3, 2], [5, 1, 1]]
    assert nb.hop1_items[1].tolist() == [1, 0, 0]
    assert nb.hop2_mask[1, 1:].sum() == 0 and nb.hop2_users[1, 1:].sum() == 0
    assert nb.hop1_items.dtype == np.int64 and nb.hop2_users.dtype == np.int64
    assert nb.hop1_weight.dtype == np.float32 and nb.hop2_mask.dtype == np.float32


def test_compact_rows_are_shared_between_slots_with_the_same_co_users():
    dataset = make_dataset(user=[0, 1, 2, 3, 0, 1], item=[0, 0, 0, 0, 1, 1], time=[1, 2, 3, 4, 5, 6])
    compact = sample_compact(graph_of(dataset), np.array([0, 1, 2, 3]), (2, 1))
    # item 0's latest co-user is u3: u0, u1, u2 share that row; u3 gets its own without itself.
    item0 = compact.slot_row[np.arange(4), [1, 1, 0, 0]]
    assert item0[0] == item0[1] == item0[2] != item0[3]
    assert len(compact.row_items) < 6


def test_a_user_without_edges_samples_as_all_padding_and_an_empty_graph_is_refused():
    dataset = make_dataset(user=[0], item=[0], time=[0], num_users=2)
    nb = sample_neighbourhood(graph_of(dataset), np.array([1]), (4, 4))
    assert nb.hop1_mask.tolist() == [[0]] and nb.hop2_mask.tolist() == [[[0]]]
    with pytest.raises(ValueError, match="without edges"):
        graph_of(dataset, dataset.edges.subset(np.zeros(1, dtype=bool)))
