"""Readers for interaction datasets: merged, indexed user-item edges.

Two formats are read:

* the recograph CSV pair (``interactions.csv`` + ``items.csv``), produced by the server's demo-data
  exporter and documented as the import format;
* the LightGCN benchmark format (``train.txt``: ``user item item ...`` per line).

Repeated interactions of one user with one item become one edge (``weight`` = sum,
``last_at`` = latest time), as the ``most-recent-first/v1`` sampling policy requires.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MILLISECOND = timedelta(milliseconds=1)


def id_order_key(identifier: str) -> bytes:
    """Sort key that orders strings like JavaScript's default comparison (UTF-16 code units).

    Equal to Python's ``str`` order for ids inside the Basic Multilingual Plane, but also right
    for the rest, so ties break exactly as on the server.
    """
    return identifier.encode("utf-16-be", "surrogatepass")


def id_ranks(ids: list[str]) -> np.ndarray:
    """Rank of each id in ascending id order (the policy's tie-break), shape ``[len(ids)]``."""
    order = sorted(range(len(ids)), key=lambda k: id_order_key(ids[k]))
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[order] = np.arange(len(ids), dtype=np.int64)
    return ranks


@dataclass(frozen=True)
class Edges:
    """Merged user-item edges, one per (user, item) pair, sorted by (user, item) index."""

    user: np.ndarray  # int64 [E]
    item: np.ndarray  # int64 [E]
    weight: np.ndarray  # float64 [E], sum of the interactions' weights
    last_at: np.ndarray  # int64 [E], latest time (epoch ms, or position for LightGCN files)

    def __len__(self) -> int:
        return len(self.user)

    def subset(self, keep: np.ndarray) -> Edges:
        """The edges selected by a boolean mask or an index array."""
        return Edges(self.user[keep], self.item[keep], self.weight[keep], self.last_at[keep])


@dataclass(frozen=True)
class Dataset:
    """An indexed interaction dataset: ids in model index order plus merged edges."""

    name: str
    user_ids: list[str]
    item_ids: list[str]
    edges: Edges
    num_interactions: int  # rows before merging repeated (user, item) pairs

    @property
    def num_users(self) -> int:
        return len(self.user_ids)

    @property
    def num_items(self) -> int:
        return len(self.item_ids)


def merge_edges(user: np.ndarray, item: np.ndarray, weight: np.ndarray, time: np.ndarray,
                num_items: int) -> Edges:
    """Merge repeated (user, item) interactions: weights add up, the latest time is kept."""
    key = user.astype(np.int64) * num_items + item.astype(np.int64)
    order = np.lexsort((time, key))
    key, weight, time = key[order], weight[order], time[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], len(key)] - 1
    merged = key[starts]
    return Edges(
        user=merged // num_items,
        item=merged % num_items,
        weight=np.add.reduceat(weight.astype(np.float64), starts) if len(key) else weight,
        last_at=time[ends].astype(np.int64),
    )


def parse_timestamp_ms(text: str) -> int:
    """ISO-8601 timestamp to epoch milliseconds (UTC when no offset is given).

    Sub-millisecond digits are dropped, as JavaScript's ``Date`` on the server does.
    """
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // _MILLISECOND


def format_timestamp_ms(epoch_ms: int) -> str:
    """Epoch milliseconds as ISO-8601 UTC, as JavaScript's ``toISOString`` writes it (the inverse
    of :func:`parse_timestamp_ms`)."""
    return (_EPOCH + epoch_ms * _MILLISECOND).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _open_csv(path: Path, required: tuple[str, ...]) -> tuple[csv.reader, dict[str, int]]:
    handle = path.open(newline="", encoding="utf-8")
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise ValueError(f"{path}: empty file, expected a header with {', '.join(required)}")
    columns = {name.strip(): k for k, name in enumerate(header)}
    missing = [name for name in required if name not in columns]
    if missing:
        raise ValueError(f"{path}: header {header} lacks column(s) {', '.join(missing)}")
    return reader, columns


def read_items_csv(path: str | Path) -> list[str]:
    """Item ids of ``items.csv`` (``itemId,title,category``) in file order: the catalogue order."""
    path = Path(path)
    reader, columns = _open_csv(path, ("itemId",))
    column = columns["itemId"]
    item_ids = [row[column] for row in reader if row]
    seen: set[str] = set()
    for item_id in item_ids:
        if item_id in seen:
            raise ValueError(f"{path}: item id {item_id!r} appears more than once")
        seen.add(item_id)
    return item_ids


def read_csv_dataset(interactions_path: str | Path, items_path: str | Path,
                     name: str | None = None) -> Dataset:
    """Read ``interactions.csv`` (``userId,itemId,type,weight,timestamp``) and ``items.csv``.

    Items keep ``items.csv`` order; users are indexed in ascending id order. ``type`` is not used:
    ``weight`` is already resolved from it by the exporter.
    """
    interactions_path = Path(interactions_path)
    item_ids = read_items_csv(items_path)
    item_index = {item_id: k for k, item_id in enumerate(item_ids)}
    reader, columns = _open_csv(interactions_path, ("userId", "itemId", "weight", "timestamp"))
    c_user, c_item, c_weight, c_time = (columns[c] for c in ("userId", "itemId", "weight", "timestamp"))
    users: list[str] = []
    items: list[int] = []
    weights: list[float] = []
    times: list[int] = []
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        try:
            items.append(item_index[row[c_item]])
        except KeyError:
            raise ValueError(f"{interactions_path}:{line}: item id {row[c_item]!r} is not in {items_path}") from None
        weight = float(row[c_weight])
        if not (math.isfinite(weight) and weight > 0):
            raise ValueError(f"{interactions_path}:{line}: weight must be a finite number > 0, got {row[c_weight]!r}")
        weights.append(weight)
        try:
            times.append(parse_timestamp_ms(row[c_time]))
        except ValueError:
            raise ValueError(f"{interactions_path}:{line}: timestamp {row[c_time]!r} is not ISO-8601") from None
        users.append(row[c_user])
    user_ids = sorted(set(users), key=id_order_key)
    user_index = {user_id: k for k, user_id in enumerate(user_ids)}
    edges = merge_edges(
        np.fromiter((user_index[u] for u in users), dtype=np.int64, count=len(users)),
        np.asarray(items, dtype=np.int64),
        np.asarray(weights, dtype=np.float64),
        np.asarray(times, dtype=np.int64),
        len(item_ids),
    )
    return Dataset(name or interactions_path.parent.name, user_ids, item_ids, edges, len(users))


def _read_lightgcn_lines(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(user, item) of every interaction of one LightGCN-format file, in file order."""
    users: list[int] = []
    items: list[np.ndarray] = []
    for line in path.read_text().splitlines():
        fields = line.split()
        if not fields:
            continue
        users.append(int(fields[0]))
        items.append(np.asarray(fields[1:], dtype=np.int64))
    counts = np.asarray([len(row) for row in items], dtype=np.int64)
    user = np.repeat(np.asarray(users, dtype=np.int64), counts)
    return user, np.concatenate(items) if items else np.zeros(0, dtype=np.int64)


def read_lightgcn_file(path: str | Path | list[str | Path], num_items: int | None = None,
                       num_users: int | None = None, name: str | None = None) -> Dataset:
    """Read LightGCN-format split(s) (``<user> <item> <item> ...`` per line, dense 0-based indices).

    Every interaction has weight 1; its time is its position among the user's interactions, so later
    in the line is more recent, and with several files (train, then valid) later files are more
    recent. Ids are the decimal indices as strings and index order is kept (item ``k`` is index
    ``k``); the sampling tie-break still compares the id strings, as the server would.

    Args:
        num_items: catalogue size; default one past the largest item index read.
        num_users: user count; default one past the largest user index read.
    """
    paths = [Path(p) for p in (path if isinstance(path, list) else [path])]
    parts = [_read_lightgcn_lines(p) for p in paths]
    user = np.concatenate([u for u, _ in parts])
    item = np.concatenate([i for _, i in parts])
    order = np.argsort(user, kind="stable")
    user, item = user[order], item[order]
    counts = np.bincount(user, minlength=1)
    position = np.arange(len(item), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    if num_users is None:
        num_users = int(user.max(initial=-1)) + 1
    if num_items is None:
        num_items = int(item.max(initial=-1)) + 1
    elif len(item) and item.max() >= num_items:
        raise ValueError(f"{paths[0]}: item index {int(item.max())} is outside a catalogue of {num_items}")
    edges = merge_edges(user, item, np.ones(len(item)), position, num_items)
    return Dataset(name or paths[0].parent.name, [str(u) for u in range(num_users)],
                   [str(i) for i in range(num_items)], edges, len(item))
