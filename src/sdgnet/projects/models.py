"""The network's library: projects (local development projects and cases) and methods."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    IDEA = "idea", _("idea")
    PLANNED = "planned", _("planned")
    ONGOING = "ongoing", _("ongoing")
    COMPLETED = "completed", _("completed")
    STOPPED = "stopped", _("stopped")


class Language(models.TextChoices):
    NB = "nb", _("Norwegian bokmål")
    NN = "nn", _("Norwegian nynorsk")
    EN = "en", _("English")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    NETWORK = "network", _("network members only")


class PartnerKind(models.TextChoices):
    BUSINESS = "business", _("business")
    NGO = "ngo", _("voluntary organisation")
    RESEARCH = "research", _("research and education")
    PUBLIC = "public", _("public body")
    OTHER = "other", _("other")


class MethodKind(models.TextChoices):
    METHOD = "method", _("method")
    TEMPLATE = "template", _("template")
    TOOL = "tool", _("tool")


class Moderated(models.Model):
    """Moderation by network admins (projects/actions.py `do_moderate`): a hidden item is
    unpublished and stays so until restored; owners see the reason."""

    hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(blank=True)
    hidden_was_published = models.BooleanField(default=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class Method(Moderated):
    """A reusable how-to (a method, a template, a tool)."""

    key = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=MethodKind.choices, default=MethodKind.METHOD)
    summary = models.TextField()
    body = models.TextField(blank=True, help_text=_("Markdown"))
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.NB)
    municipality = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_url = models.URLField(max_length=500, blank=True)
    published = models.BooleanField(default=False)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("method")

    def __str__(self) -> str:
        return self.title


class Project(Moderated):
    """A local development project or case, owned by one municipality."""

    key = models.SlugField(max_length=80, unique=True, help_text=_("Stable external id"))
    title = models.CharField(max_length=200)
    summary = models.TextField()
    body = models.TextField(blank=True, help_text=_("Markdown"))
    municipality = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="projects"
    )
    co_municipalities = models.ManyToManyField(
        "places.Place", blank=True, related_name="shared_projects"
    )
    goals = models.ManyToManyField("catalog.Goal", blank=True, related_name="projects")
    targets = models.ManyToManyField("catalog.Target", blank=True, related_name="projects")
    indicators = models.ManyToManyField("catalog.Indicator", blank=True, related_name="projects")
    methods = models.ManyToManyField(Method, blank=True, related_name="projects")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IDEA)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    budget_nok = models.PositiveBigIntegerField(null=True, blank=True)
    citizen_involvement = models.TextField(blank=True, help_text=_("Markdown"))
    results = models.TextField(blank=True, help_text=_("Markdown"))
    lessons = models.TextField(blank=True, help_text=_("Markdown; include what did not work"))
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.NB)
    published = models.BooleanField(default=False)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    source_url = models.URLField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "key"]
        indexes = [models.Index(fields=["published", "visibility"])]
        verbose_name = _("project")

    def __str__(self) -> str:
        return self.title


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=PartnerKind.choices)
    role = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_project_partner")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class ProjectLink(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.url


class ProjectAttachment(models.Model):
    """A PDF or image, checked by its content and size before it is stored."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="projects/%Y/")
    title = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Served by `projects.views.project_attachment`, only to those who may see the
        project (there is no public media folder)."""
        return reverse("project-attachment", args=[self.project.key, self.pk, self.filename])

    @property
    def filename(self) -> str:
        return PurePosixPath(self.file.name or "").name


class ProblemReport(models.Model):
    """ "Report a problem": a logged-in reader's note on a published project, shown in the
    network admins' moderation queue until a moderator reviews or hides the project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("problem report")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.reason[:60]}"


class ProjectVector(models.Model):
    """A published project's embedding and the facets the vector search filters on."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="vector")
    model = models.CharField(max_length=60)
    vector = models.BinaryField(null=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["project"]
        # Search counts active rows to notice changes made behind its back: from this
        # index, not by reading every vector.
        indexes = [models.Index(fields=["active"], name="projects_vector_active")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.model}"
