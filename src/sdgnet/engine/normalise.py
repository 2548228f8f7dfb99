"""Normalisation alternatives, used by the sensitivity analysis: each turns a matrix
of raw values (units × indicators, NaN = missing or out of scope) into scores where
higher is better.

* ``goalpost``: SDSN's rescaling between the framework's ``worst`` (0) and ``best``
  (100), clipped to [0, 100]; the nominal choice.
* ``min-max``: the same between the worst and best value observed among the units
  (all 100 where every unit has the same value).
* ``z-score``: standard scores in the desired direction, ``(x - mean) / sd``
  (population standard deviation over the units; 0 where it is 0).
* ``rank``: percentile rank in the desired direction, ``100 * rank / n`` with ties
  sharing their average rank, so the best of n units scores 100.

All statistics are per indicator over the units that have a value.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

Normalisation = Literal["goalpost", "min-max", "z-score", "rank"]
NORMALISATIONS: tuple[Normalisation, ...] = ("goalpost", "min-max", "z-score", "rank")

Matrix = NDArray[np.float64]


def goalpost(values: Matrix, best: Matrix, worst: Matrix) -> Matrix:
    """``100 * (x - worst) / (best - worst)`` clipped to [0, 100]; ``best`` and
    ``worst`` are per indicator (shape ``(indicators,)``)."""
    with np.errstate(invalid="ignore"):
        return np.clip(100.0 * (values - worst) / (best - worst), 0.0, 100.0)


def _oriented(values: Matrix, direction: Matrix) -> Matrix:
    return values * direction


def min_max(values: Matrix, direction: Matrix) -> Matrix:
    oriented = _oriented(values, direction)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.nanmin(np.where(np.isnan(oriented), np.inf, oriented), axis=0)
        high = np.nanmax(np.where(np.isnan(oriented), -np.inf, oriented), axis=0)
        span = high - low
        scaled = 100.0 * (oriented - low) / np.where(span > 0, span, 1.0)
    return np.where(span > 0, scaled, np.where(np.isnan(oriented), np.nan, 100.0))


def z_score(values: Matrix, direction: Matrix) -> Matrix:
    oriented = _oriented(values, direction)
    present = ~np.isnan(oriented)
    count = present.sum(axis=0)
    safe_count = np.maximum(count, 1)
    mean = np.where(present, oriented, 0.0).sum(axis=0) / safe_count
    deviation = np.where(present, oriented - mean, 0.0)
    sd = np.sqrt((deviation**2).sum(axis=0) / safe_count)
    with np.errstate(invalid="ignore"):
        return np.where(sd > 0, (oriented - mean) / np.where(sd > 0, sd, 1.0), oriented * 0.0)


def percentile_rank(values: Matrix, direction: Matrix) -> Matrix:
    oriented = _oriented(values, direction)
    result = np.full(oriented.shape, np.nan)
    for column in range(oriented.shape[1]):
        present = ~np.isnan(oriented[:, column])
        column_values = oriented[present, column]
        count = column_values.size
        if count == 0:
            continue
        order = np.sort(column_values)
        # Average rank of ties: mean of the first and last 1-based position.
        first = np.searchsorted(order, column_values, side="left") + 1
        last = np.searchsorted(order, column_values, side="right")
        result[present, column] = 100.0 * (first + last) / 2.0 / count
    return result


def normalise(
    method: Normalisation, values: Matrix, best: Matrix, worst: Matrix, direction: Matrix
) -> Matrix:
    """Scores of ``values`` by ``method``; NaN stays NaN."""
    if method == "goalpost":
        return goalpost(values, best, worst)
    if method == "min-max":
        return min_max(values, direction)
    if method == "z-score":
        return z_score(values, direction)
    if method == "rank":
        return percentile_rank(values, direction)
    raise ValueError(f"unknown normalisation {method!r}; choose one of {', '.join(NORMALISATIONS)}")
