"""Trains (or loads from checkpoints) every model of the accuracy benchmark on one LightGCN-format
dataset and evaluates it on the test split; exports the GAT for the served-path evaluation.

    PYTHONPATH=training python3 -m recograph_training.benchmark --dataset lastfm \
        --data-dir ../shared/datasets --work .cache/eval [--protocol lightgcnpp]

Writes ``<work>/<dataset>/results.json`` (protocol, one row per model with its per-epoch history)
and ``<work>/<dataset>/gat/`` (model.onnx, model.json, model.pt); another protocol than the
dataset's own (``--protocol lightgcnpp``, LastFM) writes ``results-<protocol>.json`` and
``gat-<protocol>/`` beside them and shares the checkpoints when it fits and selects alike. ``npm run eval`` runs this, then
evaluates the exported GAT through onnxruntime-node and writes ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from .data import Dataset, Edges, id_ranks, read_lightgcn_file
from .evaluate import metric_definition, popularity_scorer, rank_metrics
from .export import save_model
from .fit import FitConfig, Scorer, fit
from .recommenders import LightGCN, MatrixFactorisation, gat_scorer
from .sampling import InteractionGraph
from .train import EVAL_K, TrainConfig, dataset_fingerprint, loss_description, train_gat

MODELS = ("popularity", "bpr-mf", "lightgcn", "gat")


@dataclass(frozen=True)
class Protocol:
    """How a dataset is split between fitting, model selection and the reported test.

    ``fit`` files are trained on; ``select`` (if any) is the per-epoch validation that picks the
    kept epoch; ``known`` files are the interactions the served store holds at test time, which
    are also each user's excluded items; ``test`` is evaluated once, at the end.
    """

    fit: tuple[str, ...]
    select: str | None
    known: tuple[str, ...]
    test: str
    description: str
    recipes: dict[str, dict] = field(default_factory=dict)


# TrainConfig's defaults (the demo recipe), spelt out so each result records its whole recipe, with
# larger user batches; a constant rate lets a run be cut short and resumed.
_GAT_RECIPE = {**{k: v for k, v in asdict(TrainConfig()).items() if k not in ("epochs", "seed")}, "batch_size": 128}

PROTOCOLS = {
    "lastfm": Protocol(
        fit=("train.txt",), select="valid.txt", known=("train.txt", "valid.txt"), test="test.txt",
        description=("train on train.txt; after every epoch rank valid.txt (train items excluded) and keep the "
                     "epoch with the best NDCG@20; report test.txt with train.txt and valid.txt items excluded "
                     "(the served store holds train.txt + valid.txt)"),
        recipes={
            "bpr-mf": {"epochs": 40, "batch_size": 2048, "lr": 0.005, "l2": 1e-4, "optimizer": "sparse-adam"},
            "lightgcn": {"epochs": 40, "batch_size": 2048, "lr": 0.005, "l2": 1e-4},
            # Chosen on valid (best Recall@20 / NDCG@20): 4,096 negatives: 0.249 / 0.179, 8,192: 0.256 / 0.184,
            # 16,384 (about the whole catalogue): 0.258 / 0.186 at twice 8,192's cost; at 8,192, tied
            # candidates: 0.258 / 0.186, tied with 128 dims: 0.263 / 0.189. Issue 20's screen (docs/model.md,
            # "Recipe screening"): τ 0.15 led 0.2 on both at each of 30 epochs (best through 15: 0.270 / 0.197 vs
            # 0.263 / 0.190; through 30: 0.271 / 0.200 vs 0.267 / 0.194); τ 0.1 trailed 0.15 (best through 12:
            # 0.260 / 0.190 vs 0.272 / 0.196). At τ 0.15 the full softmax over all 17,388 items led the 8,192
            # uniform negatives (best through 10 epochs: 0.276 / 0.202 vs 0.266 / 0.193; through 20: 0.278 /
            # 0.204, level from epoch 11) at about twice the cost per epoch. An attention temperature of 0.03
            # left validation level (20 epochs: 0.276 / 0.203, within the ~0.004 two runs differ by) and
            # concentrates the explanations (top-3 share 0.80 against 0.21), so the recipe takes it.
            # `negatives` only counts under --gat-option negative_sampling=uniform.
            "gat": {**_GAT_RECIPE, "batch_size": 64, "negative_sampling": "all", "negatives": 8192,
                    "temperature": 0.15, "attention_temperature": 0.03, "dim": 128, "tie_candidates": True,
                    "epochs": 20},
        },
    ),
    "gowalla": Protocol(
        fit=("train.txt", "valid.txt"), select=None, known=("train.txt", "valid.txt"), test="test.txt",
        description=("LightGCN paper protocol: train on train.txt + valid.txt (the paper's 810,128 training "
                     "interactions) for a fixed epoch budget, set by the CPU time available and never by a test "
                     "figure (no early stopping, the last epoch is kept); rank all items for every user with test items, "
                     "training items excluded; report test.txt"),
        recipes={
            "bpr-mf": {"epochs": 40, "batch_size": 2048, "lr": 0.005, "l2": 1e-4, "optimizer": "sparse-adam"},
            "lightgcn": {"epochs": 10, "batch_size": 8192, "lr": 0.005, "l2": 1e-4},
            # Chosen on train.txt → valid.txt (6,000 users, docs/model.md): τ 0.1 led 0.2 (6 epochs: Recall@20
            # 0.176 vs 0.151); more negatives led at every epoch (1,024 → 4,096 → 8,192 → 16,384); tied
            # candidates and 128 dims raised the peak (best Recall@20 / NDCG@20 at 8,192 negatives: separate
            # 64: 0.194 / 0.105, tied 64: 0.203 / 0.110, tied 128: 0.209 / 0.117), reached at epoch 9.
            "gat": {**_GAT_RECIPE, "temperature": 0.1, "negatives": 16384, "dim": 128, "tie_candidates": True,
                    "epochs": 9},
        },
    ),
}


# Other published protocols, by name and dataset. LightGCN++ (Lee et al., RecSys 2024,
# geon0325/LightGCNpp) fits on train.txt and selects on valid.txt as our LastFM protocol does, but
# at test excludes only each user's train.txt items (valid.txt items stay rankable and the served
# store holds train.txt alone). Fit and select are unchanged, so its checkpoints are ours.
VARIANTS = {
    "lightgcnpp": {
        "lastfm": replace(
            PROTOCOLS["lastfm"], known=("train.txt",),
            description=("LightGCN++ protocol (Lee et al., RecSys 2024, geon0325/LightGCNpp): train on train.txt; "
                         "after every epoch rank valid.txt (train items excluded) and keep the epoch with the best "
                         "NDCG@20; report test.txt with only each user's train.txt items excluded (valid.txt items "
                         "stay candidates; the served store holds train.txt only)")),
    },
}


def protocol_for(dataset_name: str, name: str | None) -> Protocol:
    """The dataset's own protocol, or the named variant (``lightgcnpp``: LastFM only)."""
    if name is None:
        return PROTOCOLS[dataset_name]
    variant = VARIANTS.get(name, {}).get(dataset_name)
    if variant is None:
        defined = "; ".join(f"{n}: {', '.join(d)}" for n, d in VARIANTS.items())
        raise ValueError(f"protocol {name!r} is not defined for {dataset_name} (defined: {defined})")
    return variant


def protocol_record(protocol: Protocol, name: str | None, seed: int) -> dict:
    """The protocol as every results file records it."""
    return {"name": name or "default", "description": protocol.description, "fit": list(protocol.fit),
            "select": protocol.select, "known": list(protocol.known), "test": protocol.test, "k": EVAL_K,
            "metrics": metric_definition(EVAL_K), "seed": seed}


def _fit_config(recipe: dict, seed: int) -> FitConfig:
    keys = FitConfig.__dataclass_fields__.keys()
    return FitConfig(**{k: v for k, v in recipe.items() if k in keys}, seed=seed)


def interaction_graph(dataset: Dataset, edges: Edges) -> InteractionGraph:
    return InteractionGraph.build(edges, dataset.num_users, dataset.num_items,
                                  id_ranks(dataset.user_ids), id_ranks(dataset.item_ids))


def parse_gat_options(options: list[str]) -> dict:
    """``KEY=VALUE`` overrides of the GAT recipe (:class:`TrainConfig` fields): a value is read as
    JSON (``0.15``, ``true``, ``"all"``), else as comma-separated integers (``fanouts=64,16``), else
    as a plain string (``negative_sampling=all``)."""
    fields = {f.name: f for f in TrainConfig.__dataclass_fields__.values()}
    parsed: dict = {}
    for option in options:
        key, sep, text = option.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in fields or key == "seed":
            settable = ", ".join(k for k in fields if k != "seed")
            raise ValueError(f"--gat-option takes KEY=VALUE with KEY one of {settable}; got {option!r}")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            try:
                value = tuple(int(v) for v in text.split(","))
            except ValueError:
                value = text
        default = getattr(TrainConfig(), key)
        if isinstance(default, tuple):
            value = tuple(value) if isinstance(value, (list, tuple)) else (value,)
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not type(default):
            raise ValueError(f"--gat-option {key} wants a {type(default).__name__} like {default!r}; got {text!r}")
        parsed[key] = value
    return parsed


def run(dataset_name: str, data_dir: Path, work: Path, models: list[str], epochs: dict[str, int],
        seed: int = 0, log: Callable[[str], None] = print, protocol_name: str | None = None,
        gat_options: dict | None = None) -> dict:
    """Train (or load) and test ``models``; ``gat_options`` override the GAT recipe (recorded in
    its row's ``hyperParameters`` and ``recipeOverrides``)."""
    protocol = protocol_for(dataset_name, protocol_name)
    suffix = f"-{protocol_name}" if protocol_name else ""
    root = data_dir / dataset_name
    out = work / dataset_name
    files = {name: root / name for name in {*protocol.fit, *protocol.known, protocol.test, protocol.select} if name}
    parsed = {name: read_lightgcn_file(path) for name, path in files.items()}
    num_users = max(d.num_users for d in parsed.values())
    num_items = max(d.num_items for d in parsed.values())
    read = lambda names: read_lightgcn_file([files[n] for n in names], num_items, num_users, dataset_name)  # noqa: E731
    fit_data, known = read(protocol.fit), read(protocol.known)
    test = read((protocol.test,)).edges
    fit_graph, known_graph = interaction_graph(fit_data, fit_data.edges), interaction_graph(known, known.edges)
    validate = None
    if protocol.select:
        select = read((protocol.select,)).edges
        validate = lambda scorer: rank_metrics(scorer, fit_graph, select, EVAL_K)  # noqa: E731
    fit_keys = np.sort(fit_data.edges.user * num_items + fit_data.edges.item)
    fingerprint = dataset_fingerprint(fit_data)
    log(f"{dataset_name}: {num_users} users, {num_items} items; fit on {'+'.join(protocol.fit)} "
        f"({len(fit_data.edges)} edges), test {len(test)} edges of {len(np.unique(test.user))} users")
    torch.set_num_threads(2)

    def evaluate(scorer: Scorer) -> dict[str, float]:
        started = time.perf_counter()
        metrics = rank_metrics(scorer, known_graph, test, EVAL_K)
        return {**metrics, "evaluationSeconds": round(time.perf_counter() - started, 1)}

    rows = []
    for name in models:
        recipe = {**protocol.recipes.get(name, {})}
        overrides = (gat_options or {}) if name == "gat" else {}
        recipe.update(overrides)
        if name in epochs:
            recipe["epochs"] = epochs[name]
        log(f"--- {name} {recipe}")
        listed = lambda d: {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}  # noqa: E731
        row: dict = {"model": name, "hyperParameters": listed(recipe)}
        if overrides:
            row["recipeOverrides"] = listed(overrides)
        if name == "popularity":
            row.update(evaluate(popularity_scorer(fit_graph)), epochs=0, trainingSeconds=0.0)
        elif name == "gat":
            config = replace(TrainConfig(seed=seed), **recipe)
            row["hyperParameters"]["loss"] = loss_description(config)
            model, result, _ = train_gat(fit_data, fit_data.edges, config, validate, out / "checkpoints" / name,
                                         resume=True, log=log)
            row.update(evaluate(gat_scorer(model, known_graph, config.fanouts)))
            row.update(run_summary(result))
            save_model(model, config.fanouts, known.item_ids, known.user_ids, {
                "dataset": dataset_name, "protocol": protocol.description,
                "hyperParameters": row["hyperParameters"], "epochs": len(result.history),
                "bestEpoch": result.best_epoch, "seconds": round(result.seconds, 1),
            }, out / f"gat{suffix}")
        else:
            torch.manual_seed(seed)
            config = _fit_config(recipe, seed)
            module = (MatrixFactorisation(num_users, num_items) if name == "bpr-mf"
                      else LightGCN(fit_graph, layers=3))
            result = fit(module, fit_data.edges.user, fit_data.edges.item, fit_keys, num_items, config, validate,
                         out / "checkpoints" / name, True, {"model": name}, fingerprint, log)
            row.update(evaluate(module.scorer()))
            row.update(run_summary(result))
        log(f"{name}: test recall@{EVAL_K} {row['recall']:.4f} ndcg@{EVAL_K} {row['ndcg']:.4f} "
            f"({row['epochs']} epochs, {row['trainingSeconds']:.0f}s)")
        rows.append(row)

    results = {
        "dataset": dataset_name,
        "counts": {"users": num_users, "items": num_items, "fitEdges": len(fit_data.edges),
                   "knownEdges": len(known.edges), "testEdges": len(test),
                   "testUsers": int(len(np.unique(test.user)))},
        "protocol": protocol_record(protocol, protocol_name, seed),
        "rows": rows,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"results{suffix}.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def run_summary(result) -> dict:
    history = [{k: round(v, 5) if isinstance(v, float) else v for k, v in r.items()} for r in result.history]
    return {"epochs": len(history), "keptEpoch": result.best_epoch, "trainingSeconds": round(result.seconds, 1),
            "secondsPerEpoch": round(result.seconds / max(len(history), 1), 1), "history": history}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(PROTOCOLS), required=True)
    parser.add_argument("--data-dir", default="../shared/datasets", help="folder holding <dataset>/train.txt etc.")
    parser.add_argument("--work", default=".cache/eval", help="checkpoints, results.json and the exported GAT")
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated subset of {', '.join(MODELS)}")
    parser.add_argument("--epochs", action="append", default=[], metavar="MODEL=N",
                        help="override a model's epoch budget (repeatable)")
    parser.add_argument("--gat-option", action="append", default=[], metavar="KEY=VALUE",
                        help="override one setting of the GAT recipe, a TrainConfig field (repeatable), e.g. "
                             "temperature=0.15, fanouts=64,16, negative_sampling=all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--protocol", choices=sorted(VARIANTS), default=None,
                        help="a published protocol instead of the dataset's own (lightgcnpp: LastFM only)")
    parser.add_argument("--describe", action="store_true",
                        help="print the protocol as results.json records it and exit (nothing is trained)")
    args = parser.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    try:
        epochs = {k: int(v) for k, v in (e.split("=") for e in args.epochs)}
    except ValueError:
        parser.error("--epochs takes MODEL=N, e.g. --epochs gat=10")
    try:
        gat_options = parse_gat_options(args.gat_option)
    except ValueError as error:
        parser.error(str(error))
    if args.protocol and args.dataset not in VARIANTS[args.protocol]:
        parser.error(f"--protocol {args.protocol} is defined for {', '.join(VARIANTS[args.protocol])} only")
    if args.describe:
        print(json.dumps(protocol_record(protocol_for(args.dataset, args.protocol), args.protocol, args.seed)))
        return
    run(args.dataset, Path(args.data_dir), Path(args.work), models, epochs, args.seed, protocol_name=args.protocol,
        gat_options=gat_options)


if __name__ == "__main__":
    main()
