"""The models the training loop (:mod:`.fit`) trains: the served GAT and the baselines.

Each adapts a module to :class:`~recograph_training.fit.Recommender`: scores of a batch's positives
and negatives with the L2 penalty of what it used, and an all-item scorer for evaluation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .fit import Scorer
from .model import NeighbourhoodGAT
from .sampling import CompactNeighbourhood, InteractionGraph, sample_compact


def _candidate_scores(h: Tensor, table: Callable[[Tensor], Tensor], positives: np.ndarray,
                      negatives: np.ndarray) -> tuple[Tensor, Tensor, Tensor]:
    """``⟨h, table(i)⟩`` of the positives ``[B]`` and negatives ``[B, M]`` (per row, or ``[M]``
    shared), and the sum of squares of the candidate rows used."""
    pos = table(torch.from_numpy(positives))
    neg = table(torch.from_numpy(negatives))
    positive = (pos * h).sum(-1)
    negative = (neg * h.unsqueeze(1)).sum(-1) if negatives.ndim == 2 else h @ neg.t()
    return positive, negative, pos.pow(2).sum() + neg.pow(2).sum()


def compact_tensors(nb: CompactNeighbourhood) -> tuple[Tensor, ...]:
    """The model's neighbourhood arguments, in :meth:`NeighbourhoodGAT.user_vectors` order."""
    return tuple(torch.from_numpy(a) for a in (nb.hop1_weight, nb.hop1_mask, nb.slot_row,
                                               nb.row_items, nb.row_users, nb.row_mask))


def gat_scorer(model: NeighbourhoodGAT, graph: InteractionGraph, fanouts: tuple[int, int]) -> Scorer:
    """Catalogue scores of users as served: their neighbourhood in ``graph``, nothing excluded."""
    def score(users: np.ndarray) -> Tensor:
        return model.score_all(model.user_vectors(*compact_tensors(sample_compact(graph, users, fanouts))))
    return score


class GATRecommender:
    """The served GAT, trained as it serves: each positive is left out of its user's sampled
    neighbourhood, which is then encoded exactly as at request time.

    A batch's rows may repeat users (``FitConfig.batching="users"`` sends all of a user's positives
    together): each user's neighbourhood is sampled and encoded once, and every row masks out its
    own positive's hop-1 slot.
    """

    def __init__(self, model: NeighbourhoodGAT, graph: InteractionGraph, fanouts: tuple[int, int]) -> None:
        self.module = model
        self.graph = graph
        self.fanouts = fanouts

    def batch_scores(self, users, positives, negatives):
        model = self.module
        roots, root_of_row = np.unique(users, return_inverse=True)
        nb = sample_compact(self.graph, roots, self.fanouts)
        hop1_items = nb.hop1_items[root_of_row]
        left_out = nb.hop1_mask[root_of_row] * (hop1_items != positives[:, None])
        row_items, row_users, row_mask = (torch.from_numpy(a) for a in (nb.row_items, nb.row_users, nb.row_mask))
        h = model.user_vectors(torch.from_numpy(nb.hop1_weight[root_of_row]), torch.from_numpy(left_out),
                               torch.from_numpy(nb.slot_row[root_of_row]), row_items, row_users, row_mask)
        # The loss scale goes on h, not on the [B, M] scores: same products, one pass fewer.
        # Under cosine scoring the candidate rows are unit length: their L2 term is a constant.
        positive, negative, penalty = _candidate_scores(h * model.loss_scale(h), model.candidate_rows, positives,
                                                        negatives)
        context_users = torch.from_numpy(np.unique(nb.row_users[nb.row_mask > 0]))
        penalty = (penalty + model.item_embedding(row_items).pow(2).sum()
                   + model.context_embedding(context_users).pow(2).sum())
        return positive, negative, penalty

    def scorer(self) -> Scorer:
        return gat_scorer(self.module, self.graph, self.fanouts)


class MatrixFactorisation(nn.Module):
    """BPR-MF: ``s(u, i) = ⟨U_u, I_i⟩``.

    Args:
        num_users (int), num_items (int): table sizes.
        dim (int, optional): embedding size. (default: ``64``)
        init_std (float, optional): normal initialisation. (default: ``0.1``)
    """

    def __init__(self, num_users: int, num_items: int, dim: int = 64, init_std: float = 0.1) -> None:
        super().__init__()
        self.user_embedding = nn.Embedding(num_users, dim)
        self.item_embedding = nn.Embedding(num_items, dim)
        nn.init.normal_(self.user_embedding.weight, std=init_std)
        nn.init.normal_(self.item_embedding.weight, std=init_std)

    @property
    def module(self) -> nn.Module:
        return self

    def batch_scores(self, users, positives, negatives):
        u = self.user_embedding(torch.from_numpy(users))
        positive, negative, penalty = _candidate_scores(u, self.item_embedding, positives, negatives)
        return positive, negative, penalty + u.pow(2).sum()

    def scorer(self) -> Scorer:
        items = self.item_embedding.weight.detach()
        return lambda users: self.user_embedding.weight.detach()[torch.from_numpy(users)] @ items.t()


def normalised_adjacency(graph: InteractionGraph) -> Tensor:
    """``D^-1/2 A D^-1/2`` of the bipartite user-item graph, users first, as a sparse COO tensor."""
    users = np.repeat(np.arange(graph.num_users), graph.user_degree())
    items = graph.user_item + graph.num_users
    rows = np.r_[users, items]
    cols = np.r_[items, users]
    degree = np.bincount(rows, minlength=graph.num_users + graph.num_items).astype(np.float64)
    inv_sqrt = np.where(degree > 0, 1.0 / np.sqrt(np.maximum(degree, 1.0)), 0.0)
    values = (inv_sqrt[rows] * inv_sqrt[cols]).astype(np.float32)
    size = graph.num_users + graph.num_items
    return torch.sparse_coo_tensor(np.vstack([rows, cols]), values, (size, size)).coalesce()


class LightGCN(nn.Module):
    """LightGCN (He et al., SIGIR 2020): ID embeddings propagated ``layers`` times over the
    normalised graph with no transforms or non-linearities; the final embedding is the layers' mean.

    Args:
        graph (InteractionGraph): the training graph.
        dim (int, optional): embedding size. (default: ``64``)
        layers (int, optional): propagation layers. (default: ``3``)
        init_std (float, optional): normal initialisation. (default: ``0.1``)
    """

    def __init__(self, graph: InteractionGraph, dim: int = 64, layers: int = 3, init_std: float = 0.1) -> None:
        super().__init__()
        self.num_users = graph.num_users
        self.layers = layers
        self.embedding = nn.Embedding(graph.num_users + graph.num_items, dim)  # users, then items
        nn.init.normal_(self.embedding.weight, std=init_std)
        self.adjacency = normalised_adjacency(graph)

    def propagate(self) -> Tensor:
        x = self.embedding.weight
        total = x
        for _ in range(self.layers):
            x = torch.sparse.mm(self.adjacency, x)
            total = total + x
        return total / (self.layers + 1)

    @property
    def module(self) -> nn.Module:
        return self

    def batch_scores(self, users, positives, negatives):
        final = self.propagate()
        u = final[torch.from_numpy(users)]
        items = final[self.num_users:]
        positive, negative, _ = _candidate_scores(u, lambda i: F.embedding(i, items), positives, negatives)
        ego = self.embedding
        offset = self.num_users
        penalty = (ego(torch.from_numpy(users)).pow(2).sum() + ego(torch.from_numpy(positives + offset)).pow(2).sum()
                   + ego(torch.from_numpy(negatives + offset)).pow(2).sum())
        return positive, negative, penalty

    def scorer(self) -> Scorer:
        with torch.no_grad():
            final = self.propagate()
        users_part, items = final[: self.num_users], final[self.num_users:]
        return lambda users: users_part[torch.from_numpy(users)] @ items.t()
