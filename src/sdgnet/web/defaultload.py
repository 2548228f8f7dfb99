"""Loads the embedded default dataset through the same actions every import uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from sdgnet.catalog.actions import do_load_catalog, do_load_framework
from sdgnet.defaultdata import DEFAULT_DATA_DIR
from sdgnet.observations.actions import ImportReport, code_mapper, do_import_observations
from sdgnet.places.actions import do_load_places

DEFAULT_FRAMEWORK = "kommunale-baerekraftsindikatorer"


class DefaultDataError(RuntimeError):
    pass


@transaction.atomic
def load_default_data(
    directory: Path = DEFAULT_DATA_DIR, say: Callable[[str], None] = print
) -> list[ImportReport]:
    counts = do_load_catalog(directory)
    say(
        f"Catalog: {counts['goals']} goals, {counts['targets']} targets, {counts['sdg_indicators']} UN indicators"
    )
    counts = do_load_places(directory)
    say(f"Places: {counts['counties']} counties, {counts['municipalities']} municipalities")
    frameworks = directory / "frameworks"
    reports: list[ImportReport] = []
    for csv_path in sorted(frameworks.glob("*.csv")):
        loaded = do_load_framework(
            csv_path, csv_path.with_suffix(".json"), is_default=csv_path.stem == DEFAULT_FRAMEWORK
        )
        say(f"Framework {loaded.framework.slug}: {loaded.indicators} indicators")
        mapper = code_mapper()
        for indicator, _stats in sorted(loaded.stats_files.items()):
            path = directory / "observations" / f"{indicator}.csv"
            if not path.exists():
                continue
            report = do_import_observations(
                path,
                source=_source_of(loaded.framework.slug, indicator, directory),
                framework=loaded.framework,
                default_indicator=indicator,
                mapper=mapper,
                rescore=False,  # the caller rescores once, after every series is in
            )
            if not report.ok:
                details = "; ".join(problem.message for problem in report.problems[:5])
                raise DefaultDataError(f"default data {path.name} was refused: {details}")
            say(
                f"  {indicator}: {report.rows_valid} values "
                f"({report.created} new, {report.changed} changed, {report.unchanged} unchanged)"
            )
            reports.append(report)
    from sdgnet.projects.seed import load_seed

    load_seed(say=say)  # the demo library: real examples with their sources
    return reports


def _source_of(framework: str, indicator: str, directory: Path) -> str:
    from sdgnet.catalog.models import Indicator

    source = Indicator.objects.filter(key=indicator).values_list("source", flat=True).first()
    return (
        source
        or json.loads((directory / "frameworks" / f"{framework}.json").read_text())["name_nb"]
    )[:300]
