from __future__ import annotations

import numpy as np
import pytest

from recograph_training.data import id_ranks, parse_timestamp_ms, read_csv_dataset, read_lightgcn_file


def write(path, text: str):
    path.write_text(text)
    return path


@pytest.fixture
def csv_pair(tmp_path):
    items = write(tmp_path / "items.csv", "itemId,title,category\nzeta,Z,a\nalpha,A,b\nmid,M,a\n")
    interactions = write(tmp_path / "interactions.csv", "\n".join([
        "userId,itemId,type,weight,timestamp",
        "bob,alpha,VIEW,1,2026-01-05T10:00:00.000Z",
        "bob,alpha,LIKE,3,2026-01-07T10:00:00.000Z",
        "bob,alpha,VIEW,1,2026-01-06T10:00:00.000Z",
        "alice,zeta,PURCHASE,5,2026-01-05T10:00:00.250Z",
        "Carol,mid,VIEW,0.5,2026-01-05T10:00:00.000Z",
    ]) + "\n")
    return interactions, items


def test_csv_keeps_item_file_order_and_sorts_users_by_id(csv_pair):
    dataset = read_csv_dataset(*csv_pair)
    assert dataset.item_ids == ["zeta", "alpha", "mid"]
    assert dataset.user_ids == ["Carol", "alice", "bob"]  # code-unit order: uppercase first
    assert dataset.num_interactions == 5
    assert dataset.name == csv_pair[0].parent.name


def test_repeated_interactions_merge_into_one_edge_with_summed_weight_and_latest_time(csv_pair):
    edges = read_csv_dataset(*csv_pair).edges
    assert len(edges) == 3
    bob = np.flatnonzero(edges.user == 2)
    assert edges.item[bob].tolist() == [1]
    assert edges.weight[bob].tolist() == [5.0]
    assert edges.last_at[bob].tolist() == [parse_timestamp_ms("2026-01-07T10:00:00.000Z")]


def test_timestamps_are_utc_epoch_milliseconds():
    assert parse_timestamp_ms("1970-01-01T00:00:01.250Z") == 1250
    assert parse_timestamp_ms("1970-01-01T01:00:00+01:00") == 0
    assert parse_timestamp_ms("1970-01-01T00:00:00.0009Z") == 0  # sub-millisecond dropped, like Date


def test_unknown_item_bad_weight_and_missing_column_are_refused_with_the_value(csv_pair, tmp_path):
    interactions, items = csv_pair
    write(interactions, "userId,itemId,type,weight,timestamp\nbob,nope,VIEW,1,2026-01-05T10:00:00Z\n")
    with pytest.raises(ValueError, match="'nope'"):
        read_csv_dataset(interactions, items)
    write(interactions, "userId,itemId,type,weight,timestamp\nbob,mid,VIEW,0,2026-01-05T10:00:00Z\n")
    with pytest.raises(ValueError, match="weight must be"):
        read_csv_dataset(interactions, items)
    write(interactions, "userId,itemId,type,weight\nbob,mid,VIEW,1\n")
    with pytest.raises(ValueError, match="timestamp"):
        read_csv_dataset(interactions, items)
    write(items, "itemId,title,category\nx,X,a\nx,X,a\n")
    with pytest.raises(ValueError, match="'x' appears more than once"):
        read_csv_dataset(interactions, items)


def test_id_order_is_javascripts_utf16_code_unit_order():
    # U+1F600 is stored as the surrogates D83D DE00, which sort before U+FF61 in JavaScript.
    ids = ["\uff61", "\U0001f600", "b", "B", "a"]
    assert sorted(ids, key=lambda s: id_ranks(ids)[ids.index(s)]) == ["B", "a", "b", "\U0001f600", "\uff61"]


def test_lightgcn_file_gives_weight_one_and_later_position_as_more_recent(tmp_path):
    path = write(tmp_path / "train.txt", "0 3 1 3\n2 0\n1\n")
    dataset = read_lightgcn_file(path)
    assert dataset.user_ids == ["0", "1", "2"]
    assert dataset.item_ids == ["0", "1", "2", "3"]
    assert dataset.num_interactions == 4
    edges = dataset.edges
    assert list(zip(edges.user.tolist(), edges.item.tolist(), edges.weight.tolist(), edges.last_at.tolist())) == [
        (0, 1, 1.0, 1), (0, 3, 2.0, 2), (2, 0, 1.0, 0)]
    assert read_lightgcn_file(path, num_items=10).num_items == 10
    with pytest.raises(ValueError, match="outside a catalogue of 2"):
        read_lightgcn_file(path, num_items=2)
