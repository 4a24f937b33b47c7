from __future__ import annotations

import json

import pytest

from recograph_training.benchmark import parse_gat_options, protocol_for, run

from conftest import planted_dataset, write_lightgcn_splits


def test_benchmark_trains_every_model_and_exports_the_gat(tmp_path):
    data = planted_dataset(per_user=12)
    write_lightgcn_splits(data, tmp_path / "data" / "lastfm")
    results = run("lastfm", tmp_path / "data", tmp_path / "work", ["popularity", "bpr-mf", "lightgcn", "gat"],
                  {"bpr-mf": 2, "lightgcn": 2, "gat": 2}, log=lambda _: None)
    assert [r["model"] for r in results["rows"]] == ["popularity", "bpr-mf", "lightgcn", "gat"]
    for row in results["rows"][1:]:
        assert row["epochs"] == 2 and len(row["history"]) == 2
        assert {"epoch", "loss", "recall", "ndcg", "seconds"} <= row["history"][0].keys()
        assert 0.0 <= row["recall"] <= 1.0
    assert results["protocol"]["select"] == "valid.txt"
    assert json.loads((tmp_path / "work" / "lastfm" / "results.json").read_text()) == results
    metadata = json.loads((tmp_path / "work" / "lastfm" / "gat" / "model.json").read_text())
    assert metadata["items"] == [str(i) for i in range(data.num_items)]


def test_the_lightgcnpp_protocol_excludes_only_train_items_and_writes_beside_the_default(tmp_path):
    data = planted_dataset(per_user=12)
    write_lightgcn_splits(data, tmp_path / "data" / "lastfm")
    results = run("lastfm", tmp_path / "data", tmp_path / "work", ["popularity"], {}, log=lambda _: None,
                  protocol_name="lightgcnpp")
    protocol = results["protocol"]
    assert protocol["name"] == "lightgcnpp" and "LightGCN++" in protocol["description"]
    assert protocol["fit"] == ["train.txt"] and protocol["select"] == "valid.txt" and protocol["known"] == ["train.txt"]
    assert results["counts"]["knownEdges"] == results["counts"]["fitEdges"]
    assert json.loads((tmp_path / "work" / "lastfm" / "results-lightgcnpp.json").read_text()) == results
    assert not (tmp_path / "work" / "lastfm" / "results.json").exists()


def test_the_lightgcnpp_protocol_is_defined_for_lastfm_only():
    assert protocol_for("gowalla", None).known == ("train.txt", "valid.txt")
    with pytest.raises(ValueError, match="not defined for gowalla"):
        protocol_for("gowalla", "lightgcnpp")


def test_gat_options_are_typed_like_the_recipe_and_unknown_keys_are_refused():
    assert parse_gat_options(["temperature=0.15", "fanouts=64,16", "negative_sampling=all", "dim=256",
                              "tie-candidates=false", "attention_temperature=1"]) == {
        "temperature": 0.15, "fanouts": (64, 16), "negative_sampling": "all", "dim": 256,
        "tie_candidates": False, "attention_temperature": 1.0}
    for bad, message in [("heads", "KEY=VALUE"), ("width=3", "KEY one of"), ("seed=1", "KEY one of"),
                         ("dim=1.5", "wants a int"), ("schedule=2", "wants a str")]:
        with pytest.raises(ValueError, match=message):
            parse_gat_options([bad])


def test_gat_options_override_the_recipe_and_the_results_and_model_record_them(tmp_path):
    data = planted_dataset(per_user=12)
    write_lightgcn_splits(data, tmp_path / "data" / "lastfm")
    options = parse_gat_options(["fanouts=6,3", "attention_temperature=0.5", "negative_sampling=uniform", "dim=16"])
    results = run("lastfm", tmp_path / "data", tmp_path / "work", ["gat"], {"gat": 1}, log=lambda _: None,
                  gat_options=options)
    row = results["rows"][0]
    assert row["recipeOverrides"] == {"fanouts": [6, 3], "attention_temperature": 0.5,
                                      "negative_sampling": "uniform", "dim": 16}
    assert row["hyperParameters"]["fanouts"] == [6, 3] and row["hyperParameters"]["temperature"] == 0.15
    assert row["hyperParameters"]["loss"] == "sampled softmax, 8192 uniform negatives shared by the batch, temperature 0.15"
    metadata = json.loads((tmp_path / "work" / "lastfm" / "gat" / "model.json").read_text())
    assert metadata["fanouts"] == [6, 3] and metadata["embeddingDim"] == 16
    assert metadata["training"]["hyperParameters"]["attention_temperature"] == 0.5
