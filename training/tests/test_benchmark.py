from __future__ import annotations

import json

import pytest

from recograph_training.benchmark import protocol_for, run

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
