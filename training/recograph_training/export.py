"""Writes a trained model as ``model.onnx`` + ``model.json`` + ``model.pt`` (docs/model.md, Files)."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from datetime import datetime, timezone
from pathlib import Path

import onnx
import torch

from .model import NeighbourhoodGAT, ServingGraph
from .sampling import SAMPLING_POLICY

MODEL_FORMAT = "recograph-gat/2"
OPSET = 17
MAX_TOP_K = 100
DYNAMIC_AXES = {
    "hop1_items": {0: "B", 1: "F1"},
    "hop1_weight": {0: "B", 1: "F1"},
    "hop1_mask": {0: "B", 1: "F1"},
    "hop2_users": {0: "B", 1: "F1", 2: "F2"},
    "hop2_mask": {0: "B", 1: "F1", 2: "F2"},
    "candidate_mask": {0: "B"},
    "explain_ranks": {0: "E"},
    "top_scores": {0: "B"},
    "top_items": {0: "B"},
    "hop1_attention": {0: "B", 2: "F1"},
    "hop2_attention": {0: "B", 2: "F1", 3: "F2"},
    "hop1_contribution": {0: "B", 1: "E", 2: "F1"},
    "hop2_contribution": {0: "B", 1: "E", 2: "F1", 3: "F2"},
}


def top_k_for(num_items: int) -> int:
    return min(MAX_TOP_K, num_items)


def example_inputs(num_items: int, batch: int = 2, f1: int = 3, f2: int = 2) -> tuple[torch.Tensor, ...]:
    """Small valid inputs in the contract's layout (index 0 everywhere, all slots real)."""
    return (
        torch.zeros(batch, f1, dtype=torch.int64),
        torch.ones(batch, f1),
        torch.ones(batch, f1),
        torch.zeros(batch, f1, f2, dtype=torch.int64),
        torch.ones(batch, f1, f2),
        torch.ones(batch, num_items),
        torch.arange(2, dtype=torch.int64),
    )


def export_onnx(model: NeighbourhoodGAT, path: str | Path) -> None:
    """Trace the serving graph to ONNX (opset 17, axes ``B``, ``F1``, ``F2`` dynamic) and check it."""
    graph = ServingGraph(model, top_k_for(model.num_items)).eval()
    with torch.no_grad(), warnings.catch_warnings():
        # torch 1.13's exporter warns about shape inference of its own constants; the graph is fine.
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
        torch.onnx.export(
            graph, example_inputs(model.num_items), str(path),
            input_names=list(ServingGraph.input_names), output_names=list(ServingGraph.output_names),
            dynamic_axes=DYNAMIC_AXES, opset_version=OPSET, do_constant_folding=True,
        )
    onnx.checker.check_model(onnx.load(str(path)))


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def save_model(model: NeighbourhoodGAT, fanouts: tuple[int, int], item_ids: list[str],
               user_ids: list[str], training: dict, out_dir: str | Path) -> dict:
    """Write ``model.onnx``, ``model.pt`` and ``model.json`` into ``out_dir``; returns the metadata.

    Args:
        training: the metadata's ``training`` block (dataset, counts, epochs, seconds,
            hyper-parameters, metrics).
    """
    if len(item_ids) != model.num_items or len(user_ids) != model.num_users:
        raise ValueError(f"model has {model.num_items} items and {model.num_users} users, "
                         f"ids given for {len(item_ids)} and {len(user_ids)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = out_dir / "model.onnx"
    export_onnx(model, onnx_path)
    sha = sha256_of(onnx_path)
    torch.save({"format": MODEL_FORMAT, "config": model.config(), "fanouts": list(fanouts),
                "top_k": top_k_for(model.num_items), "state_dict": model.state_dict()},
               out_dir / "model.pt")
    metadata = {
        "format": MODEL_FORMAT,
        "version": f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{sha[:12]}",
        "onnxSha256": sha,
        "opset": OPSET,
        "embeddingDim": model.dim,
        "heads": model.heads,
        "fanouts": list(fanouts),
        "topK": top_k_for(model.num_items),
        "samplingPolicy": SAMPLING_POLICY,
        "items": item_ids,
        "users": user_ids,
        "training": training,
    }
    _write_atomic(out_dir / "model.json", json.dumps(metadata, indent=2) + "\n")
    return metadata


def load_model(model_dir: str | Path) -> tuple[NeighbourhoodGAT, dict]:
    """Rebuild the model from ``model.pt``; returns it (in eval mode) and the checkpoint dict."""
    checkpoint = torch.load(Path(model_dir) / "model.pt", map_location="cpu")
    if checkpoint.get("format") != MODEL_FORMAT:
        raise ValueError(f"{model_dir}/model.pt: format {checkpoint.get('format')!r}, expected {MODEL_FORMAT!r}")
    model = NeighbourhoodGAT(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval(), checkpoint
