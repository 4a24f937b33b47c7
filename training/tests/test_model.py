from __future__ import annotations

import numpy as np
import pytest
import torch

from recograph_training.model import EXCLUDED_SCORE_BIAS, NeighbourhoodGAT, ServingGraph, masked_softmax, serving_tables
from recograph_training.sampling import sample_compact, sample_neighbourhood
from recograph_training.recommenders import compact_tensors

from conftest import graph_of, make_dataset


def serving_inputs(model, nb, num_items: int, explain=range(10), k: int = 10) -> list[torch.Tensor]:
    """The eleven ServingGraph inputs; the score bias keeps every item."""
    return [*serving_tables(model), *(torch.from_numpy(a) for a in (
        nb.hop1_items, nb.hop1_weight, nb.hop1_mask, nb.hop2_users, nb.hop2_mask,
        np.zeros((len(nb.hop1_items), num_items), np.float32), np.array([k]),
        np.asarray(explain, dtype=np.int64)))]


@pytest.fixture(params=[("dot", False, 1.0), ("cosine", False, 1.0), ("cosine", True, 1.0), ("cosine", True, 0.25)],
                ids=["dot", "cosine", "cosine-tied", "cosine-tied-sharp-attention"])
def model(planted, request) -> NeighbourhoodGAT:
    torch.manual_seed(0)
    similarity, tie_candidates, attention_temperature = request.param
    model = NeighbourhoodGAT(planted.num_items, planted.num_users, dim=16, heads=4, init_std=0.3,
                             similarity=similarity, tie_candidates=tie_candidates,
                             attention_temperature=attention_temperature).eval()
    with torch.no_grad():
        model.weight_bias.fill_(0.7)
    return model


def test_masked_softmax_is_zero_and_nan_free_on_all_padding_rows_with_finite_gradients():
    logits = torch.tensor([[1.0, 2.0, 3.0], [5.0, -2e9, 1e9], [0.0, 0.0, 0.0]], requires_grad=True)
    mask = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    weights = masked_softmax(logits, mask)
    assert torch.allclose(weights[0], torch.tensor([np.exp(-2) / (1 + np.exp(-2)), 0, 1 / (1 + np.exp(-2))]).float())
    assert weights[1].tolist() == [0.0, 0.0, 0.0]
    assert torch.allclose(weights[2], torch.full((3,), 1 / 3))
    (weights * torch.arange(3.0)).sum().backward()
    assert torch.isfinite(logits.grad).all()


def test_attention_sums_to_one_over_real_slots_and_is_zero_on_padding(planted, model):
    nb = sample_neighbourhood(graph_of(planted), np.arange(planted.num_users), (6, 3))
    with torch.no_grad():
        _, _, _, alpha, beta, _, _ = ServingGraph(model)(*serving_inputs(model, nb, planted.num_items))
    hop1_mask, hop2_mask = torch.from_numpy(nb.hop1_mask), torch.from_numpy(nb.hop2_mask)
    assert alpha.shape == (planted.num_users, 4, 6) and beta.shape == (planted.num_users, 4, 6, 3)
    assert torch.allclose(alpha.sum(-1), torch.ones(planted.num_users, 4))
    assert (alpha * (1 - hop1_mask[:, None])).abs().max() == 0
    has_co_user = hop2_mask.sum(-1)[:, None].expand_as(beta[..., 0]) > 0
    assert torch.allclose(beta.sum(-1)[has_co_user], torch.ones(int(has_co_user.sum())))
    assert beta.sum(-1)[~has_co_user].abs().max() == 0
    assert (beta * (1 - hop2_mask[:, None])).abs().max() == 0


@pytest.mark.parametrize("explain", [range(10), [7, 0, 3], []])
def test_contributions_of_the_explained_ranks_add_up_to_their_scores(planted, model, explain):
    compact = sample_compact(graph_of(planted), np.arange(20), (6, 3))
    nb = compact.expand()
    ranks = torch.tensor(list(explain), dtype=torch.int64)
    with torch.no_grad():
        top_scores, top_items, _, alpha, _, hop1, hop2 = ServingGraph(model)(
            *serving_inputs(model, nb, planted.num_items, explain))
        own = torch.einsum("bhf,bkfh->bkf", alpha, torch.einsum(
            "bfhe,bkhe->bkfh", model.split_heads(model.item_embedding(torch.from_numpy(nb.hop1_items))),
            model.split_heads(model.candidate_rows(top_items.index_select(1, ranks)))))
    assert hop1.shape == (20, len(ranks), 6) and hop2.shape == (20, len(ranks), 6, 3)
    assert torch.allclose(hop1.sum(-1), top_scores.index_select(1, ranks), atol=1e-5)
    assert torch.allclose(own + hop2.sum(-1), hop1, atol=1e-6)
    assert (hop2 * (1 - torch.from_numpy(nb.hop2_mask)[:, None])).abs().sum() == 0
    assert (hop1 * (1 - torch.from_numpy(nb.hop1_mask)[:, None])).abs().sum() == 0


def test_explaining_fewer_ranks_changes_no_ranking_or_attention(planted, model):
    nb = sample_neighbourhood(graph_of(planted), np.arange(20), (6, 3))
    with torch.no_grad():
        everything = ServingGraph(model)(*serving_inputs(model, nb, planted.num_items))
        nothing = ServingGraph(model)(*serving_inputs(model, nb, planted.num_items, []))
    for full, none in zip(everything[:5], nothing[:5]):
        assert torch.equal(full, none)


def test_cosine_similarity_serves_scores_that_rank_like_the_cosines_it_trains_on(planted):
    torch.manual_seed(0)
    model = NeighbourhoodGAT(planted.num_items, planted.num_users, dim=16, heads=4, similarity="cosine").eval()
    compact = sample_compact(graph_of(planted), np.arange(20), (6, 3))
    with torch.no_grad():
        h = model.user_vectors(*compact_tensors(compact))
        cosines = torch.nn.functional.cosine_similarity(
            h.unsqueeze(1), model.candidate_embedding.weight.unsqueeze(0), dim=-1)
        served = model.score_all(h)
        assert torch.allclose(served * model.loss_scale(h), cosines, atol=1e-6)
        assert torch.equal(served.argsort(dim=1, descending=True), cosines.argsort(dim=1, descending=True))
    with pytest.raises(ValueError, match="similarity"):
        NeighbourhoodGAT(5, 4, dim=8, heads=2, similarity="euclid")


def test_training_forward_on_compact_rows_equals_the_serving_graph(planted, model):
    graph = graph_of(planted)
    users = np.arange(planted.num_users)
    compact = sample_compact(graph, users, (6, 3))
    with torch.no_grad():
        everything = torch.arange(planted.num_items).expand(len(users), -1)
        trained = model(*compact_tensors(compact), everything)
        served = ServingGraph(model)(*serving_inputs(model, compact.expand(), planted.num_items, [], k=planted.num_items))
    assert torch.allclose(trained.gather(1, served[1]), served[0], atol=1e-6)
    assert torch.allclose(model.score_all(model.user_vectors(*compact_tensors(compact))), trained, atol=1e-6)


def test_excluded_candidates_rank_last_and_ties_go_to_the_lower_index(model, planted):
    nb = sample_neighbourhood(graph_of(planted), np.array([0]), (6, 3))
    inputs = serving_inputs(model, nb, planted.num_items)
    inputs[8] = torch.full((1, planted.num_items), EXCLUDED_SCORE_BIAS)
    inputs[8][0, [7, 3]] = 0
    with torch.no_grad():
        top_scores, top_items, *_ = ServingGraph(model)(*inputs)
    assert sorted(top_items[0, :2].tolist()) == [3, 7]
    assert top_items[0, 2:].tolist() == [0, 1, 2, 4, 5, 6, 8, 9]
    assert (top_scores[0, 2:] < -1e8).all() and (top_scores[0, :2] > -1e8).all()


def test_a_new_interaction_changes_the_next_scores_without_retraining(planted, model):
    graph = graph_of(planted)
    user = 5
    unseen = next(i for i in range(planted.num_items)
                  if i not in graph.user_item[graph.user_ptr[user]: graph.user_ptr[user + 1]])
    e = planted.edges
    newer = make_dataset(user=[*e.user.tolist(), user], item=[*e.item.tolist(), unseen],
                         time=[*e.last_at.tolist(), 10**9], num_users=planted.num_users, num_items=planted.num_items)

    def scores(dataset):
        with torch.no_grad():
            nb = sample_compact(graph_of(dataset), np.array([user]), (48, 8))
            return model.score_all(model.user_vectors(*compact_tensors(nb)))

    assert not torch.allclose(scores(planted), scores(newer))


def test_a_user_with_no_real_slot_scores_zero_without_nan(model, planted):
    nb = sample_neighbourhood(graph_of(planted), np.array([0]), (6, 3))
    inputs = serving_inputs(model, nb, planted.num_items)
    inputs[5] = torch.zeros_like(inputs[5])
    inputs[7] = torch.zeros_like(inputs[7])
    with torch.no_grad():
        outputs = ServingGraph(model)(*inputs)
    assert all(torch.isfinite(o.float()).all() for o in outputs)
    assert outputs[0].abs().max() == 0


def test_reset_parameters_redraws_the_tables_and_heads_must_divide_dim():
    model = NeighbourhoodGAT(5, 4, dim=8, heads=2, init_std=0.1)
    before = model.item_embedding.weight.clone()
    with torch.no_grad():
        model.weight_bias.fill_(3.0)
    model.reset_parameters()
    assert not torch.equal(before, model.item_embedding.weight)
    assert model.weight_bias.item() == 0.0
    assert NeighbourhoodGAT(**model.config()).config() == model.config()
    with pytest.raises(ValueError, match="multiple of heads"):
        NeighbourhoodGAT(5, 4, dim=10, heads=4)


def test_an_attention_temperature_divides_the_layer_2_logits_and_sharpens_the_attention(planted):
    torch.manual_seed(0)
    plain = NeighbourhoodGAT(planted.num_items, planted.num_users, dim=16, heads=4, init_std=0.3).eval()
    sharp = NeighbourhoodGAT(**{**plain.config(), "attention_temperature": 0.25}).eval()
    sharp.load_state_dict(plain.state_dict())
    nb = sample_neighbourhood(graph_of(planted), np.arange(planted.num_users), (6, 3))
    entropy = lambda a: -(a * a.clamp(min=1e-12).log()).sum(-1).mean()  # noqa: E731
    with torch.no_grad():
        alphas = [ServingGraph(m)(*serving_inputs(m, nb, planted.num_items))[3] for m in (plain, sharp)]
        # The same weights: softmax(logits / 0.25) is softmax(logits)⁴, renormalised.
        powered = alphas[0] ** 4
        expected = powered / powered.sum(-1, keepdim=True).clamp(min=1e-30)
    assert torch.allclose(alphas[1], expected, atol=1e-5)
    assert entropy(alphas[1]) < entropy(alphas[0])
    assert NeighbourhoodGAT(**sharp.config()).attention_temperature == 0.25
    with pytest.raises(ValueError, match="attention_temperature"):
        NeighbourhoodGAT(5, 4, dim=8, heads=2, attention_temperature=0.0)


def test_tied_candidates_are_the_item_table_itself():
    model = NeighbourhoodGAT(6, 4, dim=8, heads=2, similarity="cosine", tie_candidates=True)
    assert model.candidate_embedding.weight is model.item_embedding.weight
    assert sum(p.numel() for p in model.parameters()) == (6 + 4) * 8 + 1
    items = torch.tensor([0, 3])
    assert torch.allclose(model.candidate_rows(items).norm(dim=-1), torch.ones(2))
    assert torch.allclose(model.candidate_rows(items), torch.nn.functional.normalize(model.item_embedding(items), dim=-1))


def test_user_vectors_are_the_training_forwards_and_appended_rows_are_scored_like_trained_ones(planted, model):
    compact = sample_compact(graph_of(planted), np.arange(20), (6, 3))
    inputs = serving_inputs(model, compact.expand(), planted.num_items, [], k=planted.num_items + 1)
    with torch.no_grad():
        h = model.user_vectors(*compact_tensors(compact))
        # A new item whose row points the way of user 0: it joins the tables without a re-export.
        row = h[0] / h[0].norm() * model.item_embedding.weight.norm(dim=-1).median()
        candidate = row / row.norm() if model.similarity == "cosine" else row
        inputs[0] = torch.cat([inputs[0], row[None]])
        inputs[1] = torch.cat([inputs[1], candidate[None]])
        inputs[8] = torch.cat([inputs[8], torch.zeros(20, 1)], dim=1)
        top_scores, top_items, user_vectors, *_ = ServingGraph(model)(*inputs)
    assert torch.allclose(user_vectors, h, atol=1e-6)
    new = top_items == planted.num_items
    assert torch.allclose(top_scores[new], (h @ candidate), atol=1e-5)
    if model.similarity == "cosine":  # no unit row is closer to user 0 than their own direction
        assert top_items[0, 0] == planted.num_items
