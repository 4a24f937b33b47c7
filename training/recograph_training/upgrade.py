"""Rewrites a ``recograph-gat/2`` model folder as ``recograph-gat/3``, same weights, no retraining.

    PYTHONPATH=training python3 -m recograph_training.upgrade --model models/demo

v2 kept the item tables inside ``model.onnx``; v3 exports the graph without them and writes the
tables beside it (docs/model.md). The v2 files are removed once the new ``model.json`` is in place.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from .export import save_model
from .model import NeighbourhoodGAT

_V2_FILES = ("model.onnx", "model.pt")


def upgrade(model_dir: str | Path) -> dict:
    model_dir = Path(model_dir)
    old = json.loads((model_dir / "model.json").read_text())
    if old.get("format") != "recograph-gat/2":
        raise ValueError(f"{model_dir}/model.json: format {old.get('format')!r}, expected 'recograph-gat/2'")
    checkpoint = torch.load(model_dir / "model.pt", map_location="cpu")
    model = NeighbourhoodGAT(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    training = {**old.get("training", {}), "upgradedFrom": old["version"]}
    metadata = save_model(model.eval(), tuple(old["fanouts"]), old["items"], old["users"], training, model_dir)
    for name in _V2_FILES:
        (model_dir / name).unlink(missing_ok=True)
    return metadata


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="the v2 model folder, rewritten in place")
    args = parser.parse_args(argv)
    print(f"upgraded {args.model} to {upgrade(args.model)['version']}")


if __name__ == "__main__":
    main()
