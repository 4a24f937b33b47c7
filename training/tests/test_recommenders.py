from __future__ import annotations

import numpy as np
import pytest
import torch

from recograph_training.fit import (CHECKPOINT_FILE, FitConfig, SharedNegatives, batch_loss, epoch_batches, fit,
                                    learning_rate, shared_negative_hits)
from recograph_training.model import NeighbourhoodGAT
from recograph_training.sampling import sample_compact
from recograph_training.recommenders import (GATRecommender, LightGCN, MatrixFactorisation, compact_tensors,
                                             normalised_adjacency)

from conftest import graph_of, planted_dataset


def quiet(_: str) -> None:
    pass


def edge_keys(dataset):
    return np.sort(dataset.edges.user * dataset.num_items + dataset.edges.item)


@pytest.mark.parametrize("make", [
    lambda d, g: MatrixFactorisation(d.num_users, d.num_items, dim=16),
    lambda d, g: LightGCN(g, dim=16, layers=3),
])
@pytest.mark.parametrize("loss", ["bpr", "softmax"])
def test_baselines_learn_planted_groups_with_either_loss(make, loss):
    dataset = planted_dataset()
    graph = graph_of(dataset)
    torch.manual_seed(0)
    model = make(dataset, graph)
    config = FitConfig(epochs=15, batch_size=128, lr=0.02, loss=loss, negatives=32, seed=1)
    result = fit(model, dataset.edges.user, dataset.edges.item, edge_keys(dataset), dataset.num_items, config,
                 log=quiet)
    assert result.history[-1]["loss"] < 0.8 * result.history[0]["loss"]
    # Rank each user's own training items: a model that learnt the groups puts them first.
    scores = model.scorer()(np.arange(dataset.num_users))
    own_group = (np.arange(dataset.num_items)[None, :] // 15) == (np.arange(dataset.num_users)[:, None] % 4)
    top = scores.topk(10, dim=1).indices.numpy()
    assert np.take_along_axis(own_group, top, axis=1).mean() > 0.8


def test_lightgcn_adjacency_is_symmetrically_degree_normalised():
    dataset = planted_dataset(num_users=6, num_items=5, groups=1, per_user=3)
    graph = graph_of(dataset)
    a = normalised_adjacency(graph).to_dense().numpy()
    assert np.allclose(a, a.T)
    degree = np.r_[graph.user_degree(), graph.item_degree()].astype(float)
    rows, cols = np.nonzero(a)
    assert np.allclose(a[rows, cols], 1.0 / np.sqrt(degree[rows] * degree[cols]))


def test_sampled_softmax_ignores_a_shared_negative_that_is_the_rows_positive():
    positive = torch.tensor([2.0, 2.0])
    negative = torch.tensor([[5.0, 0.0], [5.0, 0.0]])
    loss = batch_loss(positive, negative, "softmax", np.array([7, 3]), np.array([7, 9]))
    expected = (torch.nn.functional.cross_entropy(torch.tensor([[2.0, 0.0]]), torch.tensor([0]))
                + torch.nn.functional.cross_entropy(torch.tensor([[2.0, 5.0, 0.0]]), torch.tensor([0]))) / 2
    assert torch.isclose(loss, expected)


def test_full_softmax_negatives_are_every_item_once_and_the_loss_is_the_exact_cross_entropy():
    negatives = SharedNegatives(FitConfig(loss="softmax", negatives=3, negative_sampling="all"), np.array([0, 1]), 5)
    drawn = negatives.draw(np.random.default_rng(0))
    assert drawn.tolist() == [0, 1, 2, 3, 4] and negatives.log_expected is None
    scores = torch.tensor([[0.3, -1.0, 2.0, 0.5, 0.0], [1.0, 0.2, -0.4, 0.1, 0.9]])
    positives = np.array([2, 4])
    loss = batch_loss(scores[torch.arange(2), torch.from_numpy(positives)], scores, "softmax", positives, drawn, 0.5)
    assert torch.isclose(loss, torch.nn.functional.cross_entropy(scores / 0.5, torch.from_numpy(positives)))


def test_popularity_negatives_follow_the_degree_and_every_logit_is_corrected_by_its_expected_count():
    items = np.array([0] * 90 + [1] * 10)  # item 2 never trained on
    config = FitConfig(loss="softmax", negatives=4000, negative_sampling="popularity")
    negatives = SharedNegatives(config, items, 3)
    counts = np.bincount(negatives.draw(np.random.default_rng(0)), minlength=3)
    assert counts[0] > counts[1] > counts[2] > 0
    assert np.allclose(np.exp(negatives.log_expected), 4000 * negatives.probability)
    positive, negative = torch.tensor([1.0]), torch.tensor([[2.0, 0.5]])
    drawn, log_q = np.array([0, 2]), negatives.log_expected
    loss = batch_loss(positive, negative, "softmax", np.array([1]), drawn, 1.0, log_q)
    logits = torch.tensor([[1.0 - log_q[1], 2.0 - log_q[0], 0.5 - log_q[2]]], dtype=torch.float32)
    assert torch.isclose(loss, torch.nn.functional.cross_entropy(logits, torch.tensor([0])))
    with pytest.raises(ValueError, match="negative_sampling"):
        SharedNegatives(FitConfig(negative_sampling="hard"), items, 3)


def test_a_checkpoint_from_before_a_setting_existed_resumes_with_its_default(tmp_path):
    dataset = planted_dataset()
    config = FitConfig(epochs=1, batch_size=256, seed=1)
    make = lambda: MatrixFactorisation(dataset.num_users, dataset.num_items, dim=8)  # noqa: E731
    fit(make(), dataset.edges.user, dataset.edges.item, edge_keys(dataset), dataset.num_items, config, None,
        tmp_path, True, {"model": "bpr-mf"}, "data", quiet)
    state = torch.load(tmp_path / CHECKPOINT_FILE)
    del state["config"]["negative_sampling"]  # as checkpoints made before it were
    torch.save(state, tmp_path / CHECKPOINT_FILE)
    messages = []
    fit(make(), dataset.edges.user, dataset.edges.item, edge_keys(dataset), dataset.num_items,
        FitConfig(**{**config.__dict__, "epochs": 2}), None, tmp_path, True, {"model": "bpr-mf"}, "data",
        messages.append)
    assert messages[0] == f"resumed from {tmp_path}/last.pt after epoch 1"
    with pytest.raises(ValueError, match="was trained with"):
        fit(make(), dataset.edges.user, dataset.edges.item, edge_keys(dataset), dataset.num_items,
            FitConfig(**{**config.__dict__, "negative_sampling": "all"}), None, tmp_path, True,
            {"model": "bpr-mf"}, "data", quiet)


def test_cosine_schedule_decays_from_the_rate_to_zero():
    config = FitConfig(lr=0.01, schedule="cosine")
    assert learning_rate(config, 0.0) == 0.01
    assert np.isclose(learning_rate(config, 0.5), 0.005)
    assert learning_rate(config, 0.999) < 1e-6
    assert learning_rate(FitConfig(lr=0.01), 0.9) == 0.01


def test_a_finished_checkpoint_is_loaded_without_training(tmp_path):
    dataset = planted_dataset()
    config = FitConfig(epochs=2, batch_size=256, seed=1)
    run = lambda: fit(MatrixFactorisation(dataset.num_users, dataset.num_items, dim=8), dataset.edges.user,  # noqa: E731
                      dataset.edges.item, edge_keys(dataset), dataset.num_items, config, None, tmp_path, True,
                      {"model": "bpr-mf"}, "data", quiet)
    first = run()
    messages = []
    again = fit(MatrixFactorisation(dataset.num_users, dataset.num_items, dim=8), dataset.edges.user,
                dataset.edges.item, edge_keys(dataset), dataset.num_items, config, None, tmp_path, True,
                {"model": "bpr-mf"}, "data", messages.append)
    assert messages == [f"resumed from {tmp_path}/last.pt after epoch 2"]
    assert again.history == first.history


def test_user_batching_sends_each_users_rows_together_and_every_row_once_per_epoch():
    users = np.array([3, 1, 3, 0, 1, 3, 2])
    batcher = epoch_batches(users, FitConfig(batching="users", batch_size=2))
    batches = list(batcher.epoch(np.random.default_rng(0)))
    assert batcher.steps == len(batches) == 2
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(users)))
    for batch in batches:
        assert len(set(users[batch].tolist())) <= 2
        for user in set(users[batch].tolist()):
            assert set(np.flatnonzero(users == user)) <= set(batch.tolist())


def test_gat_rows_of_one_user_batched_together_score_as_if_trained_alone(planted):
    graph = graph_of(planted)
    torch.manual_seed(0)
    model = NeighbourhoodGAT(planted.num_items, planted.num_users, dim=16, heads=2, similarity="cosine").eval()
    recommender = GATRecommender(model, graph, (48, 4))
    user = 5
    items = graph.user_item[graph.user_ptr[user]: graph.user_ptr[user + 1]][:4]
    negatives = np.array([0, 1, 2])
    with torch.no_grad():
        together, together_negative, _ = recommender.batch_scores(np.full(len(items), user), items, negatives)
        for row, item in enumerate(items):
            alone, alone_negative, _ = recommender.batch_scores(np.array([user]), np.array([item]), negatives)
            assert torch.allclose(together[row], alone[0], atol=1e-6)
            assert torch.allclose(together_negative[row], alone_negative[0], atol=1e-6)
            # The positive is left out: the same as sampling the neighbourhood without it.
            nb = sample_compact(graph, np.array([user]), (48, 4), exclude_items=np.array([item]))
            h = model.user_vectors(*compact_tensors(nb))
            expected = (model.candidate_rows(torch.tensor([item])) * h).sum(-1) * model.loss_scale(h).squeeze(1)
            assert torch.allclose(alone, expected, atol=1e-6)


def test_shared_negative_hits_find_every_repeat_of_a_rows_positive():
    positives = np.array([4, 1, 4, 9])
    negatives = np.array([4, 2, 4, 1, 7, 4])
    rows, columns = shared_negative_hits(positives, negatives)
    assert sorted(zip(rows.tolist(), columns.tolist())) == list(zip(*np.nonzero(negatives[None, :] == positives[:, None])))
