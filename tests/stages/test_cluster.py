"""cluster: components, the one-record-per-submission constraint, stable person ids."""

from __future__ import annotations

import numpy as np

from linkage.cluster import connected_components, constrained_components, person_ids


def _ints(*v: int) -> np.ndarray:
    return np.array(v, dtype=np.int64)


def test_components_label_with_the_smallest_member() -> None:
    labels = connected_components(6, _ints(4, 1, 2), _ints(5, 2, 0))
    assert labels.tolist() == [0, 0, 0, 3, 4, 4]
    assert connected_components(3, _ints(), _ints()).tolist() == [0, 1, 2]
    assert connected_components(0, _ints(), _ints()).tolist() == []


def test_components_are_transitive_over_long_chains() -> None:
    n = 2000
    labels = connected_components(n, np.arange(n - 1, dtype=np.int64)[::-1], np.arange(1, n, dtype=np.int64)[::-1])
    assert set(labels.tolist()) == {0}


def test_constrained_components_keep_one_record_per_group() -> None:
    # 0-1 strong, 1-2 weaker but 2 is in 0's group: the chain 0-1-2 must not form
    groups = _ints(0, 1, 0, 2)
    labels = constrained_components(4, _ints(0, 1, 2), _ints(1, 2, 3), np.array([0.9, 0.8, 0.7]), groups)
    assert labels[0] == labels[1] and labels[2] != labels[0]
    assert labels[2] == labels[3]
    # order of the edges does not matter, only their strength
    again = constrained_components(4, _ints(2, 1, 0), _ints(3, 2, 1), np.array([0.7, 0.8, 0.9]), groups)
    assert again.tolist() == labels.tolist()


def test_person_ids_are_stable_and_opaque() -> None:
    keys = ["police/aa", "fairwork/bb", "police/cc"]
    ids = person_ids(np.array([0, 0, 2]), keys)
    assert ids[0] == ids[1] != ids[2]
    assert all(i.startswith("P") and len(i) == 16 for i in ids)
    assert not any(k.split("/")[1] in i for k in keys for i in ids)
    # a new record joining a person keeps its id unless its key sorts first
    grown = person_ids(np.array([0, 0, 2, 0]), [*keys, "police/zz"])
    assert grown[0] == ids[0] and grown[3] == ids[0]
    # input order does not matter
    assert person_ids(np.array([0, 2, 0]), [keys[1], keys[2], keys[0]]) == [ids[1], ids[2], ids[0]]
