from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from recograph_training.export import export_onnx, load_model, save_model, sha256_of
from recograph_training.model import EXCLUDED_SCORE_BIAS, NeighbourhoodGAT, ServingGraph, serving_tables
from recograph_training.parity import run_serving_graph
from recograph_training.sampling import sample_neighbourhood
from recograph_training.train import main as train_main

from conftest import graph_of, planted_dataset

TRAINING_ROOT = Path(__file__).resolve().parents[1]
ONNX_TYPES = {"int64": onnx.TensorProto.INT64, "float32": onnx.TensorProto.FLOAT}
CONTRACT_INPUTS = {
    "item_table": ("float32", ["N", "D"]),
    "candidate_table": ("float32", ["N", "D"]),
    "context_user_table": ("float32", ["U", "D"]),
    "hop1_items": ("int64", ["B", "F1"]),
    "hop1_weight": ("float32", ["B", "F1"]),
    "hop1_mask": ("float32", ["B", "F1"]),
    "hop2_users": ("int64", ["B", "F1", "F2"]),
    "hop2_mask": ("float32", ["B", "F1", "F2"]),
    "score_bias": ("float32", ["B", "N"]),
    "top_k": ("int64", [1]),
    "explain_ranks": ("int64", ["E"]),
}
CONTRACT_OUTPUTS = {
    "top_scores": ("float32", ["B", "K"]),
    "top_items": ("int64", ["B", "K"]),
    "user_vectors": ("float32", ["B", "D"]),
    "hop1_attention": ("float32", ["B", "H", "F1"]),
    "hop2_attention": ("float32", ["B", "H", "F1", "F2"]),
    "hop1_contribution": ("float32", ["B", "E", "F1"]),
    "hop2_contribution": ("float32", ["B", "E", "F1", "F2"]),
}


def write_csv_pair(dataset, folder: Path) -> tuple[Path, Path]:
    start = datetime(2026, 1, 5, 10, tzinfo=timezone.utc)
    e = dataset.edges
    lines = ["userId,itemId,type,weight,timestamp"] + [
        f"{dataset.user_ids[u]},{dataset.item_ids[i]},VIEW,{w},"
        f"{(start + timedelta(seconds=int(t))).isoformat(timespec='milliseconds').replace('+00:00', 'Z')}"
        for u, i, w, t in zip(e.user, e.item, e.weight, e.last_at)]
    (folder / "interactions.csv").write_text("\n".join(lines) + "\n")
    (folder / "items.csv").write_text("itemId,title,category\n" + "".join(f"{i},T,c\n" for i in dataset.item_ids))
    return folder / "interactions.csv", folder / "items.csv"


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    interactions, items = write_csv_pair(planted_dataset(), folder)
    out = folder / "model"
    train_main(["--interactions", str(interactions), "--items", str(items), "--out", str(out),
                "--epochs", "2", "--batch-size", "256", "--dim", "8", "--heads", "2", "--fanouts", "6,3"])
    return out


def test_onnx_model_passes_the_checker_with_the_contracts_names_types_and_axes(trained_dir):
    metadata = json.loads((trained_dir / "model.json").read_text())
    proto = onnx.load(str(trained_dir / metadata["graph"]["file"]))
    onnx.checker.check_model(proto)
    assert proto.opset_import[0].version == 17
    sizes = {"D": metadata["embeddingDim"], "H": metadata["heads"]}

    def described(values):
        return {v.name: (v.type.tensor_type.elem_type,
                         [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]) for v in values}

    def expected(contract):
        return {name: (ONNX_TYPES[dtype], [sizes.get(axis, axis) for axis in axes])
                for name, (dtype, axes) in contract.items()}

    assert described(proto.graph.input) == expected(CONTRACT_INPUTS)
    assert described(proto.graph.output) == expected(CONTRACT_OUTPUTS)
    assert [v.name for v in proto.graph.input] == list(CONTRACT_INPUTS)
    assert [v.name for v in proto.graph.output] == list(CONTRACT_OUTPUTS)


def test_metadata_names_every_file_with_its_sha_and_the_tables_hold_the_models_rows(trained_dir):
    metadata = json.loads((trained_dir / "model.json").read_text())
    assert metadata["format"] == "recograph-gat/3"
    files = [metadata["graph"], metadata["checkpoint"], *metadata["tables"].values()]
    for entry in files:
        assert entry["sha256"] == sha256_of(trained_dir / entry["file"])
        assert entry["sha256"][:12] in entry["file"]
    assert sorted(p.name for p in trained_dir.iterdir()) == sorted(["model.json", *(e["file"] for e in files)])
    assert metadata["opset"] == 17
    assert (metadata["embeddingDim"], metadata["heads"], metadata["fanouts"]) == (8, 2, [6, 3])
    assert metadata["samplingPolicy"] == "most-recent-first/v1"
    assert metadata["users"] == sorted(metadata["users"]) and len(metadata["users"]) == 120
    assert metadata["version"].endswith(metadata["graph"]["sha256"][:12])
    model, _ = load_model(trained_dir)
    tables = dict(zip(("items", "candidates", "contextUsers"), serving_tables(model)))
    for name, expected in tables.items():
        entry = metadata["tables"][name]
        stored = np.fromfile(trained_dir / entry["file"], dtype="<f4").reshape(entry["rows"], metadata["embeddingDim"])
        assert np.array_equal(stored, expected.numpy()), name
    assert metadata["tables"]["items"]["rows"] == len(metadata["items"]) == 60
    assert metadata["tables"]["contextUsers"]["rows"] == len(metadata["users"])
    assert metadata["inductive"]["itemNorm"] > 0 and metadata["content"] is None
    training = metadata["training"]
    assert datetime.fromisoformat(training["createdAt"]).tzinfo is not None
    assert training["counts"]["interactions"] == training["counts"]["edges"] > training["counts"]["trainEdges"]
    assert training["epochs"] == 2 and 1 <= training["bestEpoch"] <= 2
    assert set(training["validation"]["model"]) == {"recall", "ndcg"}
    assert set(training["validation"]["popularity"]) == {"recall", "ndcg"}


def test_export_is_byte_stable_for_the_same_weights(trained_dir, tmp_path):
    model, _ = load_model(trained_dir)
    export_onnx(model, tmp_path / "again.onnx")
    metadata = json.loads((trained_dir / "model.json").read_text())
    assert sha256_of(tmp_path / "again.onnx") == metadata["graph"]["sha256"]


def test_the_checkpoint_rebuilds_the_model_without_the_training_data(trained_dir):
    model, checkpoint = load_model(trained_dir)
    assert isinstance(model, NeighbourhoodGAT) and checkpoint["fanouts"] == [6, 3]
    assert model.config() == checkpoint["config"]


def test_parity_cli_writes_the_seven_outputs_of_the_serving_graph(trained_dir, tmp_path, planted):
    nb = sample_neighbourhood(graph_of(planted), np.array([0, 7]), (6, 3))
    score_bias = np.zeros((2, planted.num_items), dtype=np.float32)
    score_bias[1, :30] = EXCLUDED_SCORE_BIAS
    arrays = {"hop1_items": nb.hop1_items, "hop1_weight": nb.hop1_weight, "hop1_mask": nb.hop1_mask,
              "hop2_users": nb.hop2_users, "hop2_mask": nb.hop2_mask, "score_bias": score_bias,
              "top_k": np.array([60]), "explain_ranks": np.array([0, 1, 2, 59])}
    (tmp_path / "in.json").write_text(json.dumps({k: {"dims": list(v.shape), "data": v.reshape(-1).tolist()}
                                                  for k, v in arrays.items()}))
    subprocess.run([sys.executable, "-m", "recograph_training.parity", "--model", str(trained_dir),
                    "--inputs", str(tmp_path / "in.json"), "--outputs", str(tmp_path / "out.json")],
                   check=True, cwd=TRAINING_ROOT, env={**os.environ, "PYTHONPATH": str(TRAINING_ROOT)})
    outputs = json.loads((tmp_path / "out.json").read_text())
    assert list(outputs) == list(CONTRACT_OUTPUTS)
    f1, f2 = nb.hop2_users.shape[1:]
    assert outputs["hop2_contribution"]["dims"] == [2, 4, f1, f2]
    assert all(isinstance(i, int) for i in outputs["top_items"]["data"])
    model, _ = load_model(trained_dir)
    with torch.no_grad():
        expected = ServingGraph(model)(*serving_tables(model), *(torch.from_numpy(a) for a in arrays.values()))
    for (name, value), tensor in zip(outputs.items(), expected):
        assert value["dims"] == list(tensor.shape), name
        assert np.array_equal(np.asarray(value["data"]).reshape(value["dims"]), tensor.numpy()), name
    assert run_serving_graph(trained_dir, json.loads((tmp_path / "in.json").read_text())) == outputs


def test_a_model_with_tied_candidates_round_trips_through_model_pt(tmp_path):
    model = NeighbourhoodGAT(8, 5, dim=8, heads=2, similarity="cosine", tie_candidates=True)
    save_model(model, (4, 2), [f"i{k}" for k in range(8)], [f"u{k}" for k in range(5)], {}, tmp_path)
    loaded, _ = load_model(tmp_path)
    assert loaded.tie_candidates and loaded.candidate_embedding.weight is loaded.item_embedding.weight
    assert torch.equal(loaded.item_embedding.weight, model.item_embedding.weight)


def test_an_attention_temperature_round_trips_through_model_pt(tmp_path):
    model = NeighbourhoodGAT(8, 5, dim=8, heads=2, similarity="cosine", tie_candidates=True,
                             attention_temperature=0.5)
    save_model(model, (4, 2), [f"i{k}" for k in range(8)], [f"u{k}" for k in range(5)], {}, tmp_path)
    loaded, checkpoint = load_model(tmp_path)
    assert loaded.attention_temperature == 0.5 and checkpoint["config"]["attention_temperature"] == 0.5
