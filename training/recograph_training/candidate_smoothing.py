"""Screens a LightGCN-style smoothing of a trained GAT's candidate rows, post hoc, on LastFM's
validation split (issue 20; docs/model.md, "Recipe screening"): each unit candidate row ``Q̂_i``
becomes ``Q̂_i + λ · (Ãᵀ Ã Q̂)_i`` renormalised, ``Ã = D_u^{-1/2} R D_i^{-1/2}`` the symmetrically
normalised user-item matrix of ``train.txt`` (item ← users ← items). Nothing is written: it prints
validation Recall@20 / NDCG@20 per λ (λ = 0 is the model as served).

    PYTHONPATH=training python3 -m recograph_training.candidate_smoothing --model DIR \
        --data-dir ../shared/datasets --lambdas 0,0.05,0.1,0.2,0.5,1,2,4
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F

from .benchmark import interaction_graph
from .data import read_lightgcn_file
from .evaluate import rank_metrics
from .export import load_model
from .recommenders import compact_tensors
from .sampling import sample_compact

EVAL_K = 20


def smoothed_rows(rows: np.ndarray, user: np.ndarray, item: np.ndarray, num_users: int, lam: float) -> np.ndarray:
    """``rows`` (unit, ``[N, d]``) plus ``lam`` times their two-hop propagation, renormalised."""
    r = sp.csr_matrix((np.ones(len(user)), (user, item)), shape=(num_users, rows.shape[0]))
    du, di = (np.maximum(np.asarray(r.sum(axis)).ravel(), 1.0) for axis in (1, 0))
    a = sp.diags(du ** -0.5) @ r @ sp.diags(di ** -0.5)
    out = rows + lam * (a.T @ (a @ rows))
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a LastFM GAT model folder (cosine scoring)")
    parser.add_argument("--data-dir", default="../shared/datasets")
    parser.add_argument("--lambdas", default="0,0.1,0.5,1", help="comma-separated λ")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    model, checkpoint = load_model(args.model)
    fanouts = tuple(checkpoint["fanouts"])
    root = Path(args.data_dir) / "lastfm"
    splits = [read_lightgcn_file(root / name) for name in ("train.txt", "valid.txt", "test.txt")]
    num_users, num_items = max(s.num_users for s in splits), max(s.num_items for s in splits)
    train = read_lightgcn_file(root / "train.txt", num_items, num_users, "lastfm")
    valid = read_lightgcn_file(root / "valid.txt", num_items, num_users, "lastfm").edges
    graph = interaction_graph(train, train.edges)
    with torch.no_grad():
        rows = F.normalize(model.candidate_embedding.weight, dim=-1).double().numpy()
    for lam in (float(v) for v in args.lambdas.split(",")):
        table = torch.from_numpy(smoothed_rows(rows, train.edges.user, train.edges.item, num_users, lam)).float()
        score = lambda users: model.user_vectors(*compact_tensors(sample_compact(graph, users, fanouts))) @ table.T  # noqa: E731
        metrics = rank_metrics(score, graph, valid, EVAL_K)
        print(f"λ {lam:g}: valid Recall@{EVAL_K} {metrics['recall']:.4f} NDCG@{EVAL_K} {metrics['ndcg']:.4f}", flush=True)


if __name__ == "__main__":
    main()
