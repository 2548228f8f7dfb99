"""Aggregation alternatives, used by the sensitivity analysis: weighted means of the
available (non-NaN) scores along the last axis.

* ``arithmetic``: ``Σ w x / Σ w`` (compensatory; SDSN's choice);
* ``geometric``: ``exp(Σ w ln x / Σ w)``;
* ``harmonic``: ``Σ w / Σ (w / x)``.

The geometric and harmonic means need positive scores; a score at or below zero
makes them 0 (their limit as the score falls to 0). Where no score is available
the result is NaN.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

Aggregation = Literal["arithmetic", "geometric", "harmonic"]
AGGREGATIONS: tuple[Aggregation, ...] = ("arithmetic", "geometric", "harmonic")

Matrix = NDArray[np.float64]


def weighted_mean(method: Aggregation, scores: Matrix, weights: Matrix) -> Matrix:
    """Aggregate ``scores`` (``(..., n)``) with ``weights`` broadcastable to them."""
    present = ~np.isnan(scores)
    weights = np.where(present, np.broadcast_to(weights, scores.shape), 0.0)
    total_weight = weights.sum(axis=-1)
    safe = np.where(present, scores, 1.0)
    # over: a score so near 0 that weight / score overflows makes the harmonic mean 0,
    # its limit (W / inf), which is the right answer to double precision.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "arithmetic":
            result = (weights * safe).sum(axis=-1) / total_weight
        elif method == "geometric":
            has_zero = (present & (safe <= 0)).any(axis=-1)
            logs = np.log(np.where(safe > 0, safe, 1.0))
            result = np.where(has_zero, 0.0, np.exp((weights * logs).sum(axis=-1) / total_weight))
        elif method == "harmonic":
            has_zero = (present & (safe <= 0)).any(axis=-1)
            inverse = (weights / np.where(safe > 0, safe, 1.0)).sum(axis=-1)
            result = np.where(has_zero, 0.0, total_weight / inverse)
        else:
            raise ValueError(
                f"unknown aggregation {method!r}; choose one of {', '.join(AGGREGATIONS)}"
            )
    return np.where(total_weight > 0, result, np.nan)


def grouped_weighted_mean(
    method: Aggregation, scores: Matrix, weights: Matrix, starts: NDArray[np.intp]
) -> Matrix:
    """Aggregate runs of adjacent columns of ``scores`` (units × items) at once: group
    k holds columns ``starts[k]`` up to the next start (every group non-empty).

    The same means as :func:`weighted_mean` per group, as sums over column runs
    (``np.add.reduceat``); the sensitivity analysis calls this thousands of times,
    and plain sums avoid the thread start-up of a BLAS matrix product.
    """

    def group_sum(matrix: Matrix) -> Matrix:
        return np.add.reduceat(matrix, starts, axis=-1)

    present = ~np.isnan(scores)
    weight = np.where(present, weights, 0.0)
    total_weight = group_sum(weight)
    safe = np.where(present, scores, 1.0)
    positive = safe > 0
    # over: a score so near 0 that weight / score overflows makes the harmonic mean 0,
    # its limit (W / inf), which is the right answer to double precision.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "arithmetic":
            result = group_sum(weight * safe) / total_weight
        elif method in ("geometric", "harmonic"):
            has_zero = group_sum((present & ~positive).astype(np.float64)) > 0
            guarded = np.where(positive, safe, 1.0)
            if method == "geometric":
                mean = np.exp(group_sum(weight * np.log(guarded)) / total_weight)
            else:
                mean = total_weight / group_sum(weight / guarded)
            result = np.where(has_zero, 0.0, mean)
        else:
            raise ValueError(
                f"unknown aggregation {method!r}; choose one of {', '.join(AGGREGATIONS)}"
            )
    return np.where(total_weight > 0, result, np.nan)
