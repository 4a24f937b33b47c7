from __future__ import annotations

import json

import numpy as np

from recograph_training.cold_start import draw_order, hold_out_items, run, without_items
from recograph_training.data import Edges

from conftest import make_dataset, planted_dataset, write_lightgcn_splits


def test_a_fixed_seed_holds_out_the_same_tenth_of_the_catalogue():
    held = hold_out_items(1000, 0.1, seed=0)
    assert len(held) == 100 and len(np.unique(held)) == 100 and np.all(np.diff(held) > 0)
    assert np.array_equal(held, hold_out_items(1000, 0.1, seed=0))
    assert not np.array_equal(held, hold_out_items(1000, 0.1, seed=1))
    assert len(hold_out_items(5, 0.1, seed=0)) == 1


def test_each_item_draws_its_interactions_in_its_own_random_order():
    edges = Edges(user=np.arange(9), item=np.array([4, 7, 4, 4, 7, 2, 4, 7, 4]), weight=np.ones(9),
                  last_at=np.zeros(9, dtype=np.int64))
    draw = draw_order(edges, seed=0)
    for item in (2, 4, 7):
        assert sorted(draw[edges.item == item]) == list(range((edges.item == item).sum()))
    assert np.array_equal(draw, draw_order(edges, seed=0))


def test_without_items_reindexes_the_rest_of_the_catalogue():
    data = make_dataset([0, 0, 1], [0, 3, 3], [0, 1, 0], num_items=4)
    rest, index = without_items(data, data.edges.subset(data.edges.item != 1), np.array([1]))
    assert rest.item_ids == ["i000", "i002", "i003"]
    assert index.tolist() == [0, -1, 1, 2]
    assert [rest.item_ids[i] for i in rest.edges.item] == ["i000", "i003", "i003"]


def test_the_base_model_never_sees_a_held_out_item_and_the_retrained_one_sees_the_given_ones(tmp_path):
    data = planted_dataset(per_user=12)
    write_lightgcn_splits(data, tmp_path / "data" / "lastfm")
    split = run("lastfm", tmp_path / "data", tmp_path / "work", [2], epochs=1, log=lambda _: None)
    held = set(split["heldOutItems"])
    assert len(held) == 6
    base = json.loads((tmp_path / "work" / "lastfm" / "base" / "model.json").read_text())
    assert held.isdisjoint(base["items"]) and len(base["items"]) == 54
    retrained = json.loads((tmp_path / "work" / "lastfm" / "retrained-k2" / "model.json").read_text())
    assert len(retrained["items"]) == 60
    assert {item for _, item, _ in split["heldOutInteractions"]} <= held
    assert [m["model"] for m in split["models"]] == ["base", "retrained-k2"]
    given = sum(1 for _, _, draw in split["heldOutInteractions"] if draw < 2)
    assert split["models"][1]["trainEdges"] - split["models"][0]["trainEdges"] == given
