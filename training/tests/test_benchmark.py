from __future__ import annotations

import json

import numpy as np

from recograph_training.benchmark import run

from conftest import planted_dataset


def write_split(path, users, items):
    lines = {}
    for u, i in zip(users, items):
        lines.setdefault(int(u), []).append(str(int(i)))
    path.write_text("".join(f"{u} {' '.join(lines[u])}\n" for u in sorted(lines)))


def test_benchmark_trains_every_model_and_exports_the_gat(tmp_path):
    data = planted_dataset(per_user=12)
    rng = np.random.default_rng(0)
    split = rng.choice(3, size=len(data.edges), p=[0.7, 0.1, 0.2])
    folder = tmp_path / "data" / "lastfm"
    folder.mkdir(parents=True)
    for k, name in enumerate(("train.txt", "valid.txt", "test.txt")):
        write_split(folder / name, data.edges.user[split == k], data.edges.item[split == k])
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
