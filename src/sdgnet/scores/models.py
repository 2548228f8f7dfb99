"""Stored engine results, per framework and data version; pages only read these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScoreRun(models.Model):
    framework = models.ForeignKey("catalog.Framework", on_delete=models.CASCADE)
    data_version = models.PositiveIntegerField()
    method = models.CharField(max_length=20, default="sdsn")
    created_at = models.DateTimeField(auto_now_add=True)
    duration_ms = models.PositiveIntegerField(default=0)
    complete = models.BooleanField(default=False)

    class Meta:
        ordering = ["-data_version", "-created_at"]
        verbose_name = _("score run")

    def __str__(self) -> str:
        return f"{self.framework_id} v{self.data_version}"


class IndicatorScore(models.Model):
    # Foreign keys carry no index of their own: the composite indexes below, all led by
    # `run`, serve every lookup, and fewer indexes make storing a run several times faster.

    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, db_index=False, related_name="indicator_scores"
    )
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, db_index=False)
    indicator = models.ForeignKey("catalog.Indicator", on_delete=models.CASCADE, db_index=False)
    year = models.PositiveSmallIntegerField()
    value_year = models.PositiveSmallIntegerField(null=True)
    value = models.FloatField(null=True)
    score = models.FloatField(null=True)
    colour = models.CharField(max_length=8, blank=True)
    dashboard_value = models.FloatField(null=True)
    trend = models.CharField(max_length=24, blank=True)
    # The score against the place's own target (network.LocalTarget) instead of the
    # framework's best; null where the place has set none for the indicator.
    score_local = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["run", "place", "year"]),
            models.Index(fields=["run", "indicator", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.indicator_id} {self.year}: {self.score}"


class GoalScore(models.Model):
    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, db_index=False, related_name="goal_scores"
    )
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, db_index=False)
    goal = models.ForeignKey("catalog.Goal", on_delete=models.CASCADE, db_index=False)
    year = models.PositiveSmallIntegerField()
    score = models.FloatField(null=True)
    colour = models.CharField(max_length=8, blank=True)
    trend = models.CharField(max_length=24, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "place", "year"])]

    def __str__(self) -> str:
        return f"{self.place_id} goal {self.goal_id} {self.year}: {self.score}"


class IndexScore(models.Model):
    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, db_index=False, related_name="index_scores"
    )
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, db_index=False)
    year = models.PositiveSmallIntegerField()
    score = models.FloatField(null=True)
    rank = models.PositiveIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["run", "year"])]

    def __str__(self) -> str:
        return f"{self.place_id} {self.year}: {self.score} (#{self.rank})"


class PeerStanding(models.Model):
    """A municipality's standing on an indicator within one of its peer groups."""

    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, db_index=False, related_name="peer_standings"
    )
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, db_index=False)
    # A PeerGroup slug, or `nearest:<code>` for the place's most similar municipalities.
    group = models.CharField(max_length=90)
    indicator = models.ForeignKey("catalog.Indicator", on_delete=models.CASCADE, db_index=False)
    year = models.PositiveSmallIntegerField()
    value = models.FloatField()
    group_size = models.PositiveIntegerField()
    group_mean = models.FloatField(null=True)
    group_best = models.FloatField(null=True)
    group_std = models.FloatField(null=True)
    group_q1 = models.FloatField(null=True)
    group_q3 = models.FloatField(null=True)
    rank = models.PositiveIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["run", "place"]), models.Index(fields=["run", "group"])]

    def __str__(self) -> str:
        return f"{self.place_id} in {self.group}: {self.indicator_id} #{self.rank}"


class PeerImprovement(models.Model):
    """A peer among those that improved most on an indicator over the last five years."""

    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, db_index=False, related_name="peer_improvements"
    )
    group = models.CharField(max_length=90)
    indicator = models.ForeignKey("catalog.Indicator", on_delete=models.CASCADE, db_index=False)
    rank = models.PositiveIntegerField()
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, db_index=False)
    improvement_per_year = models.FloatField()
    start_year = models.PositiveSmallIntegerField()
    latest_year = models.PositiveSmallIntegerField()
    start_value = models.FloatField()
    latest_value = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["run", "group", "indicator"])]

    def __str__(self) -> str:
        return f"{self.group} {self.indicator_id} #{self.rank} {self.place_id}"


class PeerBand(models.Model):
    """The middle 50 % of a peer group's values on an indicator in one year (q1 to q3),
    stored at rescore time so charts can draw the band without reading every member."""

    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, db_index=False, related_name="peer_bands"
    )
    # A PeerGroup slug, or `all` for every municipality.
    group = models.CharField(max_length=90)
    indicator = models.ForeignKey("catalog.Indicator", on_delete=models.CASCADE, db_index=False)
    year = models.PositiveSmallIntegerField()
    size = models.PositiveIntegerField()
    q1 = models.FloatField()
    median = models.FloatField()
    q3 = models.FloatField()

    class Meta:
        ordering = ["group", "indicator", "year"]
        indexes = [models.Index(fields=["run", "group", "indicator"])]

    def __str__(self) -> str:
        return f"{self.group} {self.indicator_id} {self.year}: {self.q1}–{self.q3}"


class NearestPeer(models.Model):
    """A member of a municipality's `nearest:<code>` peer group, as scored in the run."""

    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, db_index=False, related_name="nearest_peers"
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, db_index=False, related_name="+"
    )
    peer = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, db_index=False, related_name="+"
    )

    class Meta:
        ordering = ["place", "peer"]
        indexes = [models.Index(fields=["run", "place"])]

    def __str__(self) -> str:
        return f"{self.place_id} ~ {self.peer_id}"
