"""U4SSC key performance indicators for smart sustainable cities (ITU-T Y.4903):
each latest value as a share of its target, banded at 95%, 66% and 33%.

The share is ``value / target`` where an increase is desired and ``target / value``
where a decrease is, so that 100% always means "on target" and smaller shares mean
further away. A value at least as good as the target is in the top band whatever the
share (this also covers a value of 0 against a lower-is-better target of 0).

Bands: ``>= 95%`` at or near target; ``66% <= share < 95%`` approaching target;
``33% <= share < 66%`` progressing towards target; ``< 33%`` far from target.
Negative values or targets, and a target of 0 where an increase is desired, have no
meaningful share (blank).
"""

from __future__ import annotations

import polars as pl

from sdgnet.engine.progress._series import meets_target

AT_OR_NEAR_TARGET = "at_or_near_target"
APPROACHING_TARGET = "approaching_target"
PROGRESSING_TOWARDS_TARGET = "progressing_towards_target"
FAR_FROM_TARGET = "far_from_target"

STATUSES = (AT_OR_NEAR_TARGET, APPROACHING_TARGET, PROGRESSING_TOWARDS_TARGET, FAR_FROM_TARGET)


def status_from_share(share: pl.Expr) -> pl.Expr:
    return (
        pl.when(share.is_null() | share.is_nan())
        .then(pl.lit(None, dtype=pl.String))
        .when(share >= 0.95)
        .then(pl.lit(AT_OR_NEAR_TARGET))
        .when(share >= 0.66)
        .then(pl.lit(APPROACHING_TARGET))
        .when(share >= 0.33)
        .then(pl.lit(PROGRESSING_TOWARDS_TARGET))
        .otherwise(pl.lit(FAR_FROM_TARGET))
    )


def evaluate(endpoints: pl.DataFrame) -> pl.DataFrame:
    """Add ``status``, ``reason`` and ``progress_value`` (the share of the target)."""
    latest = pl.col("latest_value")
    target = pl.col("target_value")
    increase = pl.col("direction_sign") > 0
    share = pl.when(increase).then(latest / target).otherwise(target / latest)
    achieved = meets_target(latest, target)
    reason = (
        pl.when(latest.is_null())
        .then(pl.lit("no_value"))
        .when(target.is_null())
        .then(pl.lit("no_target"))
        .when((latest < 0) | (target < 0))
        .then(pl.lit("value_not_positive"))
        .when(achieved)
        .then(pl.lit(None, dtype=pl.String))
        .when(increase & (target == 0))
        .then(pl.lit("value_not_positive"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    frame = endpoints.with_columns(reason.alias("reason"), achieved.alias("_achieved"))
    computable = pl.col("reason").is_null()
    return frame.with_columns(
        pl.when(computable & ~pl.col("_achieved"))
        .then(share)
        .when(computable)
        # A met target is a share of at least 1, also where the share is 0/0 or x/0.
        .then(pl.when(share.is_nan() | (share < 1.0)).then(pl.lit(1.0)).otherwise(share))
        .otherwise(pl.lit(None, dtype=pl.Float64))
        .alias("progress_value"),
    ).with_columns(
        pl.when(computable & pl.col("_achieved"))
        .then(pl.lit(AT_OR_NEAR_TARGET))
        .when(computable)
        .then(status_from_share(pl.col("progress_value")))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("status")
    )
