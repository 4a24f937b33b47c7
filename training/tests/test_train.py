from __future__ import annotations

import numpy as np
import pytest
import torch

from recograph_training.data import id_ranks
from recograph_training.evaluate import leave_latest_out, popularity_scorer, rank_metrics
from recograph_training.fit import sample_negatives
from recograph_training.train import TrainConfig, train

from conftest import graph_of, make_dataset, planted_dataset

SMALL = TrainConfig(epochs=6, batch_size=128, lr=0.02, dim=16, heads=2, fanouts=(8, 4), seed=3)


def quiet(_: str) -> None:
    pass


def test_training_lowers_the_loss_and_beats_popularity_on_planted_groups(planted):
    result, _ = train(planted, SMALL, log=quiet)
    losses = [r["loss"] for r in result.history]
    assert losses[-1] < 0.8 * losses[0]
    best = result.history[result.best_epoch - 1]
    assert best["ndcg"] == max(r["ndcg"] for r in result.history)
    assert best["recall"] > result.popularity["recall"]


def test_resuming_from_a_checkpoint_ends_exactly_like_an_uninterrupted_run(planted, tmp_path):
    config = TrainConfig(**{**SMALL.__dict__, "epochs": 3})
    straight, _ = train(planted, config, log=quiet)
    train(planted, TrainConfig(**{**config.__dict__, "epochs": 2}), checkpoint_dir=tmp_path, log=quiet)
    resumed, _ = train(planted, config, checkpoint_dir=tmp_path, resume=True, log=quiet)
    assert [r["loss"] for r in resumed.history] == [r["loss"] for r in straight.history]
    for name, value in straight.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[name]), name
    with pytest.raises(ValueError, match="other data"):
        train(planted_dataset(seed=1), config, checkpoint_dir=tmp_path, resume=True, log=quiet)
    with pytest.raises(ValueError, match="was trained with"):
        train(planted, TrainConfig(**{**config.__dict__, "lr": 0.1}), checkpoint_dir=tmp_path, resume=True, log=quiet)


def test_holdout_takes_each_users_latest_edge_from_users_with_three_or_more():
    # user 0: latest are items 2 and 1 (tie at time 7: "i001" first); user 1 has only two edges.
    dataset = make_dataset(user=[0, 0, 0, 0, 1, 1], item=[0, 2, 1, 3, 0, 1], time=[1, 7, 7, 2, 5, 6])
    holdout = leave_latest_out(dataset.edges, id_ranks(dataset.item_ids))
    assert list(zip(holdout.test.user.tolist(), holdout.test.item.tolist())) == [(0, 1)]
    assert len(holdout.train) == 5


def test_metrics_follow_lightgcns_recall_and_ndcg():
    # 1 user, 6 items; item 0 is a training item; held out: items 2 and 5.
    dataset = make_dataset(user=[0, 0, 0, 1], item=[0, 2, 5, 3], time=[0, 1, 1, 0], num_items=6)
    train_edges = dataset.edges.subset(np.array([True, False, False, True]))
    test_edges = dataset.edges.subset(np.array([False, True, True, False]))
    scores = torch.tensor([[9.0, 1.0, 8.0, 7.0, 6.0, 0.0]])
    metrics = rank_metrics(lambda users: scores, graph_of(dataset, train_edges), test_edges, k=2)
    # ranking without item 0: 2, 3 -> one of two held-out items in the top 2.
    assert metrics["recall"] == 0.5
    assert np.isclose(metrics["ndcg"], 1.0 / (1.0 + 1.0 / np.log2(3)))


def test_popularity_ranks_by_training_degree():
    dataset = make_dataset(user=[0, 1, 2, 1, 2, 2], item=[1, 1, 1, 2, 2, 3], time=[0] * 6, num_items=5)
    scores = popularity_scorer(graph_of(dataset))(np.array([0]))
    assert scores.argsort(descending=True)[0, :4].tolist() == [1, 2, 3, 0]


def test_negatives_are_never_among_the_users_items():
    dataset = planted_dataset()
    keys = np.sort(dataset.edges.user * dataset.num_items + dataset.edges.item)
    users = np.repeat(np.arange(dataset.num_users), 50)
    negatives = sample_negatives(np.random.default_rng(0), users, keys, dataset.num_items)
    assert not np.isin(users * dataset.num_items + negatives, keys).any()
