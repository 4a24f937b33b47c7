from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from recograph_training.compress import compress, main as compress_main
from recograph_training.export import int8_candidate_inputs, save_model, sha256_of
from recograph_training.model import Int8ServingGraph, NeighbourhoodGAT, ServingGraph, dequantize_rows, quantize_rows, serving_tables
from recograph_training.sampling import sample_neighbourhood

from conftest import graph_of, planted_dataset


@pytest.fixture(scope="module")
def wide():
    """A catalogue wider than the int8 shortlist (top_k + 100 items), so the shortlist is a real cut."""
    dataset = planted_dataset(num_users=80, num_items=400, per_user=12)
    torch.manual_seed(0)
    model = NeighbourhoodGAT(dataset.num_items, dataset.num_users, dim=16, heads=2, init_std=0.3,
                             similarity="cosine", tie_candidates=True).eval()
    return dataset, model


def run_inputs(dataset, model, users: int = 30, k: int = 10, explain=range(5)) -> list[torch.Tensor]:
    nb = sample_neighbourhood(graph_of(dataset), np.arange(users), (6, 3))
    return [torch.from_numpy(a) for a in (nb.hop1_items, nb.hop1_weight, nb.hop1_mask, nb.hop2_users, nb.hop2_mask,
                                          np.zeros((users, dataset.num_items), np.float32), np.array([k]),
                                          np.asarray(explain, dtype=np.int64))]


def test_int8_rows_are_within_half_a_step_of_the_rows_and_a_zero_row_stays_zero():
    table = torch.randn(50, 16)
    table[7] = 0
    rows, scale = quantize_rows(table)
    assert rows.dtype == torch.int8 and scale.shape == (50,)
    assert rows.abs().max() <= 127 and scale[7] == 0
    assert ((dequantize_rows(rows, scale) - table).abs() <= scale[:, None] / 2 + 1e-7).all()


def test_the_int8_graph_returns_the_fp32_graphs_answer_over_the_dequantized_rows(wide):
    dataset, model = wide
    items, candidates, users = serving_tables(model)
    dequantized = dequantize_rows(*quantize_rows(candidates))
    run = run_inputs(dataset, model)
    with torch.no_grad():
        exact = ServingGraph(model)(items, dequantized, users, *run)
        compressed = Int8ServingGraph(model)(items, *int8_candidate_inputs(candidates), users, *run)
    top_scores, top_items, _, _, _, hop1, hop2 = compressed
    # The shortlist (110 of 400) held every user's exact top 10 here: the same answer, to rounding.
    assert torch.equal(top_items, exact[1])
    for ours, theirs in zip(compressed, exact):
        assert torch.allclose(ours.float(), theirs.float(), atol=1e-5)
    assert torch.allclose(hop1.sum(-1), top_scores[:, :5], atol=1e-5)
    assert top_scores.shape == (30, 10) and hop2.shape == (30, 5, 6, 3)


def test_the_int8_graph_never_returns_an_excluded_item_while_others_remain(wide):
    dataset, model = wide
    items, candidates, users = serving_tables(model)
    run = run_inputs(dataset, model, users=4, k=20)
    run[5][:, ::2] = -1e9  # every even item excluded
    with torch.no_grad():
        _, top_items, *_ = Int8ServingGraph(model)(items, *int8_candidate_inputs(candidates), users, *run)
    assert (top_items % 2 == 1).all()


@pytest.fixture(scope="module")
def fp32_dir(tmp_path_factory, wide) -> Path:
    dataset, model = wide
    out = tmp_path_factory.mktemp("fp32") / "model"
    save_model(model, (6, 3), dataset.item_ids, dataset.user_ids, {"dataset": "planted"}, out)
    return out


def test_compress_writes_an_int8_folder_that_declares_itself_and_leaves_the_fp32_one_alone(fp32_dir, tmp_path, wide):
    dataset, _ = wide
    before = {p.name: sha256_of(p) for p in fp32_dir.iterdir()}
    out = tmp_path / "int8"
    compress_main(["--model", str(fp32_dir), "--out", str(out), "--tables", "int8"])
    assert {p.name: sha256_of(p) for p in fp32_dir.iterdir()} == before

    source = json.loads((fp32_dir / "model.json").read_text())
    metadata = json.loads((out / "model.json").read_text())
    assert "compression" not in source and metadata["compression"] == "int8"
    assert metadata["training"]["compressedFrom"] == source["version"]
    assert metadata["items"] == source["items"] and metadata["tables"]["items"] == source["tables"]["items"]
    candidates, scales = metadata["tables"]["candidates"], metadata["tables"]["candidateScales"]
    assert candidates["file"].endswith(".i8") and candidates["rows"] == scales["rows"] == dataset.num_items
    assert (out / candidates["file"]).stat().st_size == dataset.num_items * 16
    assert (out / scales["file"]).stat().st_size == dataset.num_items * 4
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["model.json", metadata["graph"]["file"], metadata["checkpoint"]["file"],
         *(entry["file"] for entry in metadata["tables"].values())])

    proto = onnx.load(str(out / metadata["graph"]["file"]))
    onnx.checker.check_model(proto)
    inputs = {v.name: (v.type.tensor_type.elem_type, [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim])
              for v in proto.graph.input}
    assert list(inputs) == list(Int8ServingGraph.input_names)
    assert inputs["candidate_table"] == (onnx.TensorProto.INT8, ["N", 16])
    assert inputs["candidate_columns"] == (onnx.TensorProto.INT8, [16, "N"])
    assert inputs["candidate_scale"] == (onnx.TensorProto.FLOAT, ["N"])
    assert {"DynamicQuantizeLinear", "MatMulInteger"} <= {node.op_type for node in proto.graph.node}


def test_compress_refuses_its_own_folder_and_a_compressed_one(fp32_dir, tmp_path):
    with pytest.raises(ValueError, match="another folder"):
        compress(fp32_dir, fp32_dir, "int8")
    compress(fp32_dir, tmp_path / "int8", "int8")
    with pytest.raises(ValueError, match="compressed already"):
        compress(tmp_path / "int8", tmp_path / "again", "int8")
