"""Writes a trained model folder, contract ``recograph-gat/3`` (docs/model.md, Files)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from datetime import datetime, timezone
from pathlib import Path

import onnx
import torch

from .model import NeighbourhoodGAT, ServingGraph, serving_tables
from .sampling import SAMPLING_POLICY

MODEL_FORMAT = "recograph-gat/3"
OPSET = 17
DYNAMIC_AXES = {
    "item_table": {0: "N"},
    "candidate_table": {0: "N"},
    "context_user_table": {0: "U"},
    "hop1_items": {0: "B", 1: "F1"},
    "hop1_weight": {0: "B", 1: "F1"},
    "hop1_mask": {0: "B", 1: "F1"},
    "hop2_users": {0: "B", 1: "F1", 2: "F2"},
    "hop2_mask": {0: "B", 1: "F1", 2: "F2"},
    "score_bias": {0: "B", 1: "N"},
    "explain_ranks": {0: "E"},
    "top_scores": {0: "B", 1: "K"},
    "top_items": {0: "B", 1: "K"},
    "user_vectors": {0: "B"},
    "hop1_attention": {0: "B", 2: "F1"},
    "hop2_attention": {0: "B", 2: "F1", 3: "F2"},
    "hop1_contribution": {0: "B", 1: "E", 2: "F1"},
    "hop2_contribution": {0: "B", 1: "E", 2: "F1", 3: "F2"},
}


def example_inputs(model: NeighbourhoodGAT, batch: int = 2, f1: int = 3, f2: int = 2) -> tuple[torch.Tensor, ...]:
    """Small valid inputs in the contract's layout (the model's own tables, index 0 everywhere,
    all slots real, every item kept, two explained ranks of three)."""
    return (
        *serving_tables(model),
        torch.zeros(batch, f1, dtype=torch.int64),
        torch.ones(batch, f1),
        torch.ones(batch, f1),
        torch.zeros(batch, f1, f2, dtype=torch.int64),
        torch.ones(batch, f1, f2),
        torch.zeros(batch, model.num_items),
        torch.tensor([min(3, model.num_items)]),
        torch.arange(min(2, model.num_items), dtype=torch.int64),
    )


def export_onnx(model: NeighbourhoodGAT, path: str | Path) -> None:
    """Trace the serving graph to ONNX (opset 17; the tables, ``B``, ``F1``, ``F2``, ``K``, ``E`` dynamic) and check it."""
    graph = ServingGraph(model).eval()
    with torch.no_grad(), warnings.catch_warnings():
        # torch 1.13's exporter warns about shape inference of its own constants; the graph is fine.
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
        torch.onnx.export(
            graph, example_inputs(model), str(path),
            input_names=list(ServingGraph.input_names), output_names=list(ServingGraph.output_names),
            dynamic_axes=DYNAMIC_AXES, opset_version=OPSET, do_constant_folding=True,
        )
    onnx.checker.check_model(onnx.load(str(path)))


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def content_named_file(out_dir: Path, kind: str, suffix: str, write) -> dict:
    """Writes a file through ``write(path)``, then names it ``<kind>-<sha12><suffix>``: files a
    ``model.json`` references never change, so a model can be swapped in beside another."""
    tmp = out_dir / f".{kind}{suffix}.tmp"
    write(tmp)
    sha = sha256_of(tmp)
    name = f"{kind}-{sha[:12]}{suffix}"
    os.replace(tmp, out_dir / name)
    return {"file": name, "sha256": sha}


def _table_file(out_dir: Path, kind: str, table: torch.Tensor) -> dict:
    array = table.detach().to(torch.float32).contiguous().numpy().astype("<f4", copy=False)
    return {**content_named_file(out_dir, kind, ".f32", lambda path: path.write_bytes(array.tobytes())), "rows": int(array.shape[0])}


INDUCTIVE_PRIOR_WEIGHT = 3


def inductive_settings(model: NeighbourhoodGAT) -> dict:
    """How serving sizes an item vector it estimates (docs/model.md, New items): the median norm of
    the trained item rows, and how many interactions' worth of weight a content prior carries."""
    with torch.no_grad():
        norm = model.item_embedding.weight.norm(dim=-1).median().item()
    return {"itemNorm": round(norm, 6), "priorWeight": INDUCTIVE_PRIOR_WEIGHT}


def save_model(model: NeighbourhoodGAT, fanouts: tuple[int, int], item_ids: list[str],
               user_ids: list[str], training: dict, out_dir: str | Path, content: dict | None = None) -> dict:
    """Write a model folder (contract ``recograph-gat/3``): the graph, its three tables and the
    PyTorch checkpoint as content-named files, then ``model.json`` (last); returns the metadata.

    Args:
        training: the metadata's ``training`` block (dataset, counts, epochs, seconds,
            hyper-parameters, metrics).
        content: the metadata's ``content`` block when a text-to-item map was fitted.
    """
    if len(item_ids) != model.num_items or len(user_ids) != model.num_users:
        raise ValueError(f"model has {model.num_items} items and {model.num_users} users, "
                         f"ids given for {len(item_ids)} and {len(user_ids)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    graph = content_named_file(out_dir, "graph", ".onnx", lambda path: export_onnx(model, path))
    items, candidates, context_users = serving_tables(model)
    tables = {"items": _table_file(out_dir, "items", items),
              "candidates": _table_file(out_dir, "candidates", candidates),
              "contextUsers": _table_file(out_dir, "context-users", context_users)}
    checkpoint = content_named_file(out_dir, "checkpoint", ".pt", lambda path: torch.save(
        {"format": MODEL_FORMAT, "config": model.config(), "fanouts": list(fanouts),
         "state_dict": model.state_dict()}, path))
    metadata = {
        "format": MODEL_FORMAT,
        "version": f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{graph['sha256'][:12]}",
        "opset": OPSET,
        "embeddingDim": model.dim,
        "heads": model.heads,
        "fanouts": list(fanouts),
        "similarity": model.similarity,
        "samplingPolicy": SAMPLING_POLICY,
        "graph": graph,
        "tables": tables,
        "checkpoint": checkpoint,
        "items": item_ids,
        "users": user_ids,
        "inductive": inductive_settings(model),
        "content": content,
        "training": training,
    }
    write_atomic(out_dir / "model.json", json.dumps(metadata, indent=2) + "\n")
    remove_unreferenced(out_dir, metadata)
    return metadata


_CONTENT_NAMED = re.compile(r"^(graph|items|candidates|context-users|checkpoint|content-map)-[0-9a-f]{12}\.(onnx|f32|pt)$")


def referenced_files(metadata: dict) -> list[str]:
    """The files a ``model.json`` names, besides itself."""
    entries = [metadata["graph"], metadata["checkpoint"], *metadata["tables"].values()]
    if metadata.get("content"):
        entries.append(metadata["content"]["map"])
    return [entry["file"] for entry in entries]


def remove_unreferenced(out_dir: Path, metadata: dict) -> None:
    """Drops the files of a model this folder held before (servers read them only when loading)."""
    keep = set(referenced_files(metadata))
    for path in out_dir.iterdir():
        if _CONTENT_NAMED.match(path.name) and path.name not in keep:
            path.unlink()


def load_model(model_dir: str | Path) -> tuple[NeighbourhoodGAT, dict]:
    """Rebuild the model from the checkpoint ``model.json`` names; returns it (in eval mode) and
    the checkpoint dict."""
    model_dir = Path(model_dir)
    metadata = json.loads((model_dir / "model.json").read_text())
    if metadata.get("format") != MODEL_FORMAT:
        raise ValueError(f"{model_dir}/model.json: format {metadata.get('format')!r}, expected {MODEL_FORMAT!r}")
    checkpoint = torch.load(model_dir / metadata["checkpoint"]["file"], map_location="cpu")
    model = NeighbourhoodGAT(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval(), checkpoint
