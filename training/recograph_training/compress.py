"""Writes a compressed copy of a model folder, same weights, no retraining (docs/model.md, Compressed models).

    PYTHONPATH=training python3 -m recograph_training.compress --model models/demo --out /tmp/demo-int8 --tables int8

``int8`` stores the candidate table as int8 rows with a scale each (a quarter of its fp32 size) and
exports the serving graph that scores with onnxruntime's integer kernels, then re-scores a shortlist
exactly. The item and context-user tables, the checkpoint and the content map are copied as they are.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from .export import COMPRESSIONS, load_model, save_model


def compress(model_dir: str | Path, out_dir: str | Path, tables: str) -> dict:
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    if model_dir.resolve() == out_dir.resolve():
        raise ValueError("--out must be another folder: the fp32 model stays as it is")
    source = json.loads((model_dir / "model.json").read_text())
    if source.get("compression", "none") != "none":
        raise ValueError(f"{model_dir}/model.json is compressed already ({source['compression']}); compress its fp32 source")
    model, checkpoint = load_model(model_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    content = source.get("content")
    if content:
        shutil.copyfile(model_dir / content["map"]["file"], out_dir / content["map"]["file"])
    training = {**source.get("training", {}), "compressedFrom": source["version"]}
    return save_model(model, tuple(checkpoint["fanouts"]), source["items"], source["users"], training, out_dir,
                      content=content, compression=tables)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="the fp32 model folder (left as it is)")
    parser.add_argument("--out", required=True, help="the folder to write the compressed model to")
    parser.add_argument("--tables", required=True, choices=[c for c in COMPRESSIONS if c != "none"])
    args = parser.parse_args(argv)
    metadata = compress(args.model, args.out, args.tables)
    print(f"wrote {args.out} ({metadata['compression']}, {metadata['version']})")


if __name__ == "__main__":
    main()
