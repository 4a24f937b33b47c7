from __future__ import annotations

import numpy as np

from recograph_training.candidate_smoothing import smoothed_rows


def test_smoothing_keeps_rows_unit_length_is_the_identity_at_zero_and_pulls_co_consumed_items_together():
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    user, item = np.array([0, 0, 1]), np.array([0, 1, 2])  # user 0 consumed items 0 and 1 together
    assert np.allclose(smoothed_rows(rows, user, item, 2, 0.0), rows)
    smoothed = smoothed_rows(rows, user, item, 2, 1.0)
    assert np.allclose(np.linalg.norm(smoothed, axis=1), 1.0)
    assert smoothed[0] @ smoothed[1] > rows[0] @ rows[1]
    assert np.allclose(smoothed[2], rows[2])  # alone with its user: only its own row comes back
