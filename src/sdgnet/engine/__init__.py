"""sdgnet's scoring engine: a pure library (no Django), typed, over Arrow.

Public API (see each module's docstring):

- `read_framework(path)` / `parse_framework(table)` → `Framework` of `IndicatorSpec`
  (`sdgnet.engine.framework`);
- `read_units(path, framework)` / `parse_units(table, framework)`,
  `open_observations(path)` / `observations_from_arrow(table)`
  (`sdgnet.engine.inputs`);
- `score_sdsn(framework, observations, units, *, year=None, years=None,
  missing_goal="group-mean", coverage=0.8, trend_span=5) -> ScoreResult`
  (`sdgnet.engine.scoring`): the SDSN index and dashboards for one year, a list
  of years or every year with data (`years="all"`);
- `sdgnet.engine.progress.assess(method, observations, framework, year)`: the
  progress methods; `sdgnet.engine.sensitivity.rank_intervals(...)` (or
  `rank_intervals_of_latest(...)` from the values already scored);
  `sdgnet.engine.peers`;
- `InputError`: bad input, with file, row and column.

`sdgnet score` (`sdgnet.engine.cli.main`) is the command-line face of the same.
"""

from sdgnet.engine.errors import InputError
from sdgnet.engine.framework import Framework, IndicatorSpec, Scope, parse_framework, read_framework
from sdgnet.engine.inputs import (
    observations_from_arrow,
    open_observations,
    parse_units,
    read_units,
)
from sdgnet.engine.scoring import ScoreResult, score_sdsn

__all__ = [
    "Framework",
    "IndicatorSpec",
    "InputError",
    "Scope",
    "ScoreResult",
    "observations_from_arrow",
    "open_observations",
    "parse_framework",
    "parse_units",
    "read_framework",
    "read_units",
    "score_sdsn",
]
