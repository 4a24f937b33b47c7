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

from .model import Int8ServingGraph, NeighbourhoodGAT, ServingGraph, quantize_rows, serving_tables
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
# What a model folder's tables and graph are (docs/model.md, Compressed models): ``none`` is fp32
# throughout; ``int8`` keeps the candidate table as int8 rows with a scale each and scores with
# integer kernels (``Int8ServingGraph``).
COMPRESSIONS = ("none", "int8")
_GRAPHS = {"none": ServingGraph, "int8": Int8ServingGraph}
_INT8_AXES = {**DYNAMIC_AXES, "candidate_columns": {1: "N"}, "candidate_scale": {0: "N"}}


def int8_candidate_inputs(candidates: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The int8 graph's ``candidate_table`` ``[N, d]``, ``candidate_columns`` ``[d, N]`` and
    ``candidate_scale`` ``[N]`` from fp32 rows."""
    rows, scale = quantize_rows(candidates)
    return rows, rows.t().contiguous(), scale


def example_inputs(model: NeighbourhoodGAT, batch: int = 2, f1: int = 3, f2: int = 2,
                   compression: str = "none") -> tuple[torch.Tensor, ...]:
    """Small valid inputs in the contract's layout (the model's own tables, index 0 everywhere,
    all slots real, every item kept, two explained ranks of three)."""
    items, candidates, context_users = serving_tables(model)
    tables = (items, *int8_candidate_inputs(candidates), context_users) if compression == "int8" else (items, candidates, context_users)
    return (
        *tables,
        torch.zeros(batch, f1, dtype=torch.int64),
        torch.ones(batch, f1),
        torch.ones(batch, f1),
        torch.zeros(batch, f1, f2, dtype=torch.int64),
        torch.ones(batch, f1, f2),
        torch.zeros(batch, model.num_items),
        torch.tensor([min(3, model.num_items)]),
        torch.arange(min(2, model.num_items), dtype=torch.int64),
    )


def export_onnx(model: NeighbourhoodGAT, path: str | Path, compression: str = "none") -> None:
    """Trace the serving graph to ONNX (opset 17; the tables, ``B``, ``F1``, ``F2``, ``K``, ``E`` dynamic) and check it."""
    graph = _GRAPHS[compression](model).eval()
    with torch.no_grad(), warnings.catch_warnings():
        # torch 1.13's exporter warns about shape inference of its own constants; the graph is fine.
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
        # ... and about the g.op it offers custom symbolics (the int8 graph's integer kernels).
        warnings.filterwarnings("ignore", message=".*_graph_op. is deprecated", category=FutureWarning)
        torch.onnx.export(
            graph, example_inputs(model, compression=compression), str(path),
            input_names=list(graph.input_names), output_names=list(graph.output_names),
            dynamic_axes=_INT8_AXES if compression == "int8" else DYNAMIC_AXES, opset_version=OPSET,
            do_constant_folding=True,
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
    """A table as little-endian float32 (``.f32``) or, when ``table`` is int8, int8 (``.i8``), row-major."""
    int8 = table.dtype == torch.int8
    array = table.detach().contiguous().numpy().astype("i1" if int8 else "<f4", copy=False)
    suffix = ".i8" if int8 else ".f32"
    return {**content_named_file(out_dir, kind, suffix, lambda path: path.write_bytes(array.tobytes())), "rows": int(array.shape[0])}


def _tables(out_dir: Path, model: NeighbourhoodGAT, compression: str) -> dict:
    items, candidates, context_users = serving_tables(model)
    tables = {"items": _table_file(out_dir, "items", items)}
    if compression == "int8":
        rows, scale = quantize_rows(candidates)
        tables["candidates"] = _table_file(out_dir, "candidates", rows)
        tables["candidateScales"] = _table_file(out_dir, "candidate-scales", scale)
    else:
        tables["candidates"] = _table_file(out_dir, "candidates", candidates)
    tables["contextUsers"] = _table_file(out_dir, "context-users", context_users)
    return tables


INDUCTIVE_PRIOR_WEIGHT = 3


def inductive_settings(model: NeighbourhoodGAT) -> dict:
    """How serving sizes an item vector it estimates (docs/model.md, New items): the median norm of
    the trained item rows, and how many interactions' worth of weight a content prior carries."""
    with torch.no_grad():
        norm = model.item_embedding.weight.norm(dim=-1).median().item()
    return {"itemNorm": round(norm, 6), "priorWeight": INDUCTIVE_PRIOR_WEIGHT}


def save_model(model: NeighbourhoodGAT, fanouts: tuple[int, int], item_ids: list[str],
               user_ids: list[str], training: dict, out_dir: str | Path, content: dict | None = None,
               compression: str = "none") -> dict:
    """Write a model folder (contract ``recograph-gat/3``): the graph, its three tables and the
    PyTorch checkpoint as content-named files, then ``model.json`` (last); returns the metadata.

    Args:
        training: the metadata's ``training`` block (dataset, counts, epochs, seconds,
            hyper-parameters, metrics).
        content: the metadata's ``content`` block when a text-to-item map was fitted.
        compression: one of ``COMPRESSIONS``; ``int8`` writes the candidate table as int8 rows
            with ``tables.candidateScales`` and the int8 serving graph, and says so in ``compression``
            (an fp32 folder has no such key).
    """
    if compression not in COMPRESSIONS:
        raise ValueError(f"compression must be one of {COMPRESSIONS}, got {compression!r}")
    if len(item_ids) != model.num_items or len(user_ids) != model.num_users:
        raise ValueError(f"model has {model.num_items} items and {model.num_users} users, "
                         f"ids given for {len(item_ids)} and {len(user_ids)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    graph = content_named_file(out_dir, "graph", ".onnx", lambda path: export_onnx(model, path, compression))
    tables = _tables(out_dir, model, compression)
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
        **({"compression": compression} if compression != "none" else {}),
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


_CONTENT_NAMED = re.compile(r"^(graph|items|candidates|candidate-scales|context-users|checkpoint|content-map)-[0-9a-f]{12}\.(onnx|f32|i8|pt)$")


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
