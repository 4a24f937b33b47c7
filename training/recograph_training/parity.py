"""Runs the serving graph in PyTorch on given inputs, for the server's ONNX parity test.

    PYTHONPATH=training python3 -m recograph_training.parity --model models/demo \
        --inputs in.json --outputs out.json

Both files map each tensor name to ``{"dims": [...], "data": [flat, row-major numbers]}``; the
inputs are the ONNX inputs (the three tables may be left out: the model's own are used), the
outputs the seven ONNX outputs (int64 as plain numbers).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from .export import load_model
from .model import ServingGraph, serving_tables

_INT_INPUTS = {"hop1_items", "hop2_users", "top_k", "explain_ranks"}
_TABLES = ServingGraph.input_names[:3]


def run_serving_graph(model_dir: str | Path, inputs: dict[str, dict]) -> dict[str, dict]:
    """The seven outputs of the checkpoint's serving graph for the inputs, in ``{dims, data}`` form."""
    model, _ = load_model(model_dir)
    missing = [name for name in ServingGraph.input_names[3:] if name not in inputs]
    if missing:
        raise ValueError(f"inputs lack {', '.join(missing)}; expected {', '.join(ServingGraph.input_names)}")
    tensors = list(serving_tables(model))
    for position, name in enumerate(ServingGraph.input_names):
        if name not in inputs:
            continue
        dtype = torch.int64 if name in _INT_INPUTS else torch.float32
        tensor = torch.tensor(inputs[name]["data"], dtype=dtype).reshape(inputs[name]["dims"])
        if position < len(_TABLES):
            tensors[position] = tensor
        else:
            tensors.append(tensor)
    with torch.no_grad():
        outputs = ServingGraph(model)(*tensors)
    return {name: {"dims": list(value.shape), "data": value.reshape(-1).tolist()}
            for name, value in zip(ServingGraph.output_names, outputs)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="model directory (its model.json names the checkpoint)")
    parser.add_argument("--inputs", required=True, help="JSON file with the ONNX inputs (tables optional)")
    parser.add_argument("--outputs", required=True, help="JSON file to write the seven outputs to")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    inputs = json.loads(Path(args.inputs).read_text())
    Path(args.outputs).write_text(json.dumps(run_serving_graph(args.model, inputs)))


if __name__ == "__main__":
    main()
