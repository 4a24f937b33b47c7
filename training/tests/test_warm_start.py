from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import torch

from recograph_training.data import Dataset, format_timestamp_ms
from recograph_training.model import NeighbourhoodGAT
from recograph_training.train import TrainConfig, train
from recograph_training.train import main as train_main
from recograph_training.warm_start import ServingModel, grow_model, warm_positives, warm_start
from recograph_training.warm_start import main as warm_start_main

from conftest import graph_of, make_dataset, planted_dataset

SMALL = TrainConfig(epochs=2, batch_size=128, lr=0.02, dim=16, heads=2, fanouts=(8, 4), seed=3)


def quiet(_: str) -> None:
    pass


def serving_of(model: NeighbourhoodGAT, item_ids: list[str], user_ids: list[str], through: int = 0) -> ServingModel:
    return ServingModel(model, (8, 4), item_ids, user_ids, "v-test", through)


def test_growing_keeps_known_rows_by_id_and_starts_new_ones_from_their_neighbours():
    old = NeighbourhoodGAT(3, 2, dim=4, heads=2, tie_candidates=True)
    # The new dataset puts a new item first and a new user last: rows follow ids, not indices.
    dataset = Dataset("t", ["u0", "u1", "u2"], ["n0", "i0", "i1", "i2"], make_dataset(
        [0, 0, 1, 1, 2, 2], [0, 1, 2, 3, 1, 0], [1, 2, 3, 4, 5, 6]).edges, 6)
    model, counts = grow_model(serving_of(old, ["i0", "i1", "i2"], ["u0", "u1"]), dataset, graph_of(dataset))
    assert counts == {"newItems": 1, "newUsers": 1}
    E, P = old.item_embedding.weight.detach(), old.context_embedding.weight.detach()
    grown_E, grown_P = model.item_embedding.weight.detach(), model.context_embedding.weight.detach()
    assert torch.equal(grown_E[1:], E)
    assert torch.equal(grown_P[:2], P)
    # n0's users are u0 (other item: i0) and u2 (other item: i0): their means of known items.
    assert torch.allclose(grown_E[0], E[0])
    # u2 shares i0 with u0 and n0 with u0: the mean of u0's context row over both items.
    assert torch.allclose(grown_P[2], P[0])
    assert model.candidate_embedding is model.item_embedding


def test_warm_positives_are_the_new_edges_plus_replay_times_as_many_older_ones():
    edges = make_dataset([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 1], [1, 2, 3, 10, 11, 12]).edges
    positives, new = warm_positives(edges, since_ms=5, seed=0, replay=1)
    assert new == 3
    assert len(positives) == 6 and sorted(positives.last_at.tolist()) == [1, 2, 3, 10, 11, 12]
    positives, new = warm_positives(make_dataset([0, 0, 0, 1], [0, 1, 2, 0], [1, 2, 3, 9]).edges, 5, 0, replay=1)
    assert new == 1 and len(positives) == 2 and positives.last_at.max() == 9
    positives, new = warm_positives(make_dataset([0, 0, 0, 0, 1], [0, 1, 2, 3, 0], [1, 2, 3, 4, 9]).edges, 5, 0, replay=3)
    assert new == 1 and len(positives) == 4


def test_a_warm_start_continues_from_the_serving_model_and_beats_popularity():
    full = planted_dataset()
    cutoff = int(np.quantile(full.edges.last_at, 0.8))
    # The base model knows neither the last 10 users nor the last 5 items.
    base = Dataset("base", full.user_ids[:-10], full.item_ids[:-5], full.edges.subset(
        (full.edges.last_at <= cutoff) & (full.edges.user < full.num_users - 10) & (full.edges.item < full.num_items - 5)), 0)
    trained, _ = train(base, SMALL, log=quiet)
    result, holdout, info = warm_start(full, serving_of(trained.model, base.item_ids, base.user_ids, cutoff), SMALL,
                                       log=quiet)
    assert info["newUsers"] == 10 and info["newItems"] == 5
    assert info["edgesSince"] == int((holdout.train.last_at > cutoff).sum())
    best = result.history[result.best_epoch - 1]
    assert best["recall"] > result.popularity["recall"]


def write_csv(dataset: Dataset, folder: Path) -> tuple[Path, Path]:
    items, interactions = folder / "items.csv", folder / "interactions.csv"
    with items.open("w", newline="") as f:
        csv.writer(f).writerows([["itemId", "title", "category"], *[[i, i, ""] for i in dataset.item_ids]])
    e = dataset.edges
    with interactions.open("w", newline="") as f:
        csv.writer(f).writerows([["userId", "itemId", "type", "weight", "timestamp"], *[
            [dataset.user_ids[u], dataset.item_ids[i], "VIEW", w, format_timestamp_ms(int(t) + 1_700_000_000_000)]
            for u, i, w, t in zip(e.user, e.item, e.weight, e.last_at)]])
    return interactions, items


def test_the_cli_records_trained_through_and_warm_starts_from_it(tmp_path):
    full = planted_dataset(num_users=60, num_items=24)
    cutoff = int(np.quantile(full.edges.last_at, 0.8))
    (tmp_path / "base").mkdir()
    (tmp_path / "full").mkdir()
    base_csv = write_csv(Dataset("b", full.user_ids, full.item_ids, full.edges.subset(full.edges.last_at <= cutoff), 0),
                         tmp_path / "base")
    full_csv = write_csv(full, tmp_path / "full")
    small = ["--epochs", "1", "--dim", "8", "--fanouts", "4,2", "--negatives", "16"]
    train_main(["--interactions", str(base_csv[0]), "--items", str(base_csv[1]), "--out", str(tmp_path / "m1"), *small])
    first = json.loads((tmp_path / "m1" / "model.json").read_text())["training"]
    base_newest = int(full.edges.last_at[full.edges.last_at <= cutoff].max())
    assert first["trainedThrough"] == format_timestamp_ms(base_newest + 1_700_000_000_000)
    warm_start_main(["--from", str(tmp_path / "m1"), "--interactions", str(full_csv[0]), "--items", str(full_csv[1]),
                     "--out", str(tmp_path / "m2"), "--epochs", "1", "--negatives", "16"])
    second = json.loads((tmp_path / "m2" / "model.json").read_text())
    assert second["training"]["warmStart"]["from"] == json.loads((tmp_path / "m1" / "model.json").read_text())["version"]
    assert second["training"]["warmStart"]["edgesSince"] > 0
    assert second["training"]["trainedThrough"] == format_timestamp_ms(int(full.edges.last_at.max()) + 1_700_000_000_000)
    assert second["embeddingDim"] == 8 and second["fanouts"] == [4, 2]
    assert second["training"]["hyperParameters"]["embeddingDim"] == 8
