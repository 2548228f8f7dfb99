"""The project form: what an editor types, turned into a record of docs/formats.md."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from sdgnet.catalog.models import Goal, Indicator
from sdgnet.places.models import Place
from sdgnet.projects.actions import MAX_LINK_TITLE, MAX_PARTNER_NAME, MAX_PARTNER_ROLE, url_ok
from sdgnet.projects.models import Language, PartnerKind, Status, Visibility


def partner_kind(written: str) -> str | None:
    """The partner kind a line names: its code (`research`) or its label in either
    language (`forskning og utdanning`, any case); `other` when left empty; None when it
    names none of them."""
    wanted = written.strip().casefold()
    if not wanted:
        return str(PartnerKind.OTHER)
    for kind in PartnerKind:
        names = {kind.value}
        for language in ("nb", "en"):
            with translation.override(language):
                names.add(str(kind.label).casefold())
        if wanted in names:
            return str(kind.value)
    return None


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    key = forms.SlugField(
        label=_("Key"), max_length=80, required=False,
        help_text=_("Stable external id; made from the title when left empty"),
    )  # fmt: skip
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(
        label=_("Description (Markdown)"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    municipality = forms.ChoiceField(label=_("Owner municipality"))
    co_municipalities = forms.MultipleChoiceField(
        label=_("Co-municipalities"), required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    goals = forms.MultipleChoiceField(
        label=_("SDG goals"), required=False, widget=forms.CheckboxSelectMultiple
    )
    targets = forms.CharField(
        label=_("SDG targets"),
        required=False,
        help_text=_("Codes separated by spaces, e.g. 11.6 13.2"),
    )
    indicators = forms.MultipleChoiceField(
        label=_("Linked indicators"), required=False, widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    start_date = forms.DateField(
        label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget_nok = forms.IntegerField(label=_("Budget (NOK)"), required=False, min_value=0)
    citizen_involvement = forms.CharField(
        label=_("How citizens were involved"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    results = forms.CharField(
        label=_("Results"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lessons = forms.CharField(
        label=_("Lessons, including what did not work"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    partners = forms.CharField(
        label=_("Partners"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name | kind (business, ngo, research, public, other) | role"),
    )  # fmt: skip
    links = forms.CharField(
        label=_("Links"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: address, then an optional title"),
    )  # fmt: skip
    contact_name = forms.CharField(label=_("Contact person"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    published = forms.BooleanField(label=_("Published"), required=False)

    def __init__(
        self, *args: Any, municipalities: list[Place], linked: Iterable[str] = (), **kwargs: Any
    ):
        """`linked`: the indicator keys the project links already. They are offered beside
        the scored frameworks' indicators, so that saving the form unchanged keeps them."""
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[str, str]]] = {
            "municipality": [(p.code, f"{p.name} ({p.code})") for p in municipalities],
            "co_municipalities": [
                (p.code, p.name)
                for p in Place.objects.filter(kind=Place.Kind.MUNICIPALITY).order_by("name")
            ],
            "goals": [(str(g.number), str(g)) for g in Goal.objects.all()],
            "indicators": [
                (i.key, i.name)
                for i in Indicator.objects.filter(
                    Q(entries__framework__scored=True) | Q(key__in=list(linked))
                ).distinct()
            ],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values

    # Each partner and link line is checked here, so a problem is shown at the field and
    # the line it comes from, in the form's words; the import's own check (in JSON terms:
    # "partners 2: …") stays behind it for everything else.
    def clean_partners(self) -> str:
        text: str = self.cleaned_data.get("partners") or ""
        problems: list[str] = []
        names: set[str] = set()
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            name, role = parts[0], parts[2] if len(parts) > 2 else ""
            written_kind = parts[1] if len(parts) > 1 else ""
            if partner_kind(written_kind) is None:
                problems.append(
                    _(
                        "Line %(line)s: %(kind)s is not a kind of partner; write business, ngo, "
                        "research, public or other, or leave it empty."
                    )
                    % {"line": number, "kind": written_kind}
                )
            if not name:
                problems.append(
                    _("Line %(line)s: a partner needs a name before the first |.")
                    % {"line": number}
                )
            elif len(name) > MAX_PARTNER_NAME:
                problems.append(
                    _("Line %(line)s: the name can be at most %(limit)s characters.")
                    % {"line": number, "limit": MAX_PARTNER_NAME}
                )
            elif name in names:
                problems.append(
                    _("Line %(line)s: %(name)s is listed twice.") % {"line": number, "name": name}
                )
            if len(role) > MAX_PARTNER_ROLE:
                problems.append(
                    _("Line %(line)s: the role can be at most %(limit)s characters.")
                    % {"line": number, "limit": MAX_PARTNER_ROLE}
                )
            names.add(name)
        if problems:
            raise forms.ValidationError(problems)
        return text

    def clean_links(self) -> str:
        text: str = self.cleaned_data.get("links") or ""
        problems: list[str] = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            address, _space, title = line.strip().partition(" ")
            if not url_ok(address):
                problems.append(
                    _(
                        "Line %(line)s: %(address)s is not a web address (it must begin "
                        "with http:// or https://)."
                    )
                    % {"line": number, "address": address}
                )
            elif len(title.strip()) > MAX_LINK_TITLE:
                problems.append(
                    _("Line %(line)s: the title can be at most %(limit)s characters.")
                    % {"line": number, "limit": MAX_LINK_TITLE}
                )
        if problems:
            raise forms.ValidationError(problems)
        return text

    def record(self) -> dict[str, Any]:
        """The cleaned form as a record of the import format."""
        data = self.cleaned_data
        partners = []
        for line in (data.get("partners") or "").splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            kind = partner_kind(parts[1] if len(parts) > 1 else "") or PartnerKind.OTHER
            partners.append(
                {"name": parts[0], "kind": kind, "role": parts[2] if len(parts) > 2 else ""}
            )
        links = []
        for line in (data.get("links") or "").splitlines():
            if line.strip():
                url, _space, title = line.strip().partition(" ")
                links.append({"url": url, "title": title.strip()})
        return {
            "key": data.get("key") or slugify(data["title"])[:80] or "project",
            "title": data["title"],
            "summary": data["summary"],
            "body": data.get("body", ""),
            "language": data["language"],
            "municipality": data["municipality"],
            "co_municipalities": list(data.get("co_municipalities") or []),
            "goals": [int(g) for g in data.get("goals") or []],
            "targets": re.findall(r"\d{1,2}\.[0-9a-z]{1,2}", data.get("targets") or ""),
            "indicators": list(data.get("indicators") or []),
            "status": data["status"],
            "start_date": data["start_date"].isoformat() if data.get("start_date") else None,
            "end_date": data["end_date"].isoformat() if data.get("end_date") else None,
            "budget_nok": data.get("budget_nok"),
            "citizen_involvement": data.get("citizen_involvement", ""),
            "results": data.get("results", ""),
            "lessons": data.get("lessons", ""),
            "contact": {
                "name": data.get("contact_name", ""),
                "email": data.get("contact_email", ""),
            },
            "partners": partners,
            "links": links,
            "published": bool(data.get("published")),
            "visibility": data["visibility"],
        }


def initial_from(project: Any) -> dict[str, Any]:
    from sdgnet.projects.actions import project_record

    record = project_record(project)
    return {
        **record,
        "goals": [str(g) for g in record["goals"]],
        "targets": " ".join(record["targets"]),
        "partners": "\n".join(
            f"{p['name']} | {p['kind']} | {p['role']}" for p in record["partners"]
        ),
        "links": "\n".join(f"{link['url']} {link['title']}".strip() for link in record["links"]),
        "contact_name": record["contact"]["name"],
        "contact_email": record["contact"]["email"],
    }


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("PDF or image (at most 5 MB)"))


class ReportForm(forms.Form):
    """ "Report a problem" with a published project."""

    reason = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example wrong facts, a broken link or content that breaks the rules."),
    )
