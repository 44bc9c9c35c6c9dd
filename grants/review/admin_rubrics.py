"""The rubric editor in the Wagtail admin (a ModelViewSet), with versioning.

- A rubric is edited in place until its first review is submitted.
- Saving a frozen rubric makes the next version (rubrics.rubric_version_create) instead of changing it.
- An older version opens as a pointer to the current one; a frozen version cannot be deleted.
- Point labels are one text field per point (widgets.PointLabelsWidget), not JSON.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.forms.formsets import DELETION_FIELD_NAME
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.admin.views.generic import DeleteView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from .models import Rubric
from .rubrics import CRITERION_FIELDS, rubric_version_create
from .widgets import PointLabelsWidget


def criteria_from_formset(formset) -> list[dict]:
    """The criteria a valid criteria formset describes, in the shape rubric_version_create takes: deleted and empty
    forms left out; a criterion that continues one of the edited version keeps its key."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get(DELETION_FIELD_NAME):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        row = {field: data[field] for field in CRITERION_FIELDS if field in data}
        if form.instance.pk is not None:
            row["key"] = form.instance.key
        rows.append(row)
    return sorted(rows, key=lambda row: row.get("order") or 0)


class RubricEditView(EditView):
    def _current_version_redirect(self):
        rubric = get_object_or_404(Rubric, pk=unquote(str(self.kwargs[self.pk_url_kwarg])))
        if rubric.is_current:
            return None
        current = Rubric.objects.filter(round_id=rubric.round_id, is_current=True).first()
        messages.warning(
            self.request,
            _("Version %(version)s is no longer in use: it is kept as it was for the reviews given against it.")
            % {"version": rubric.version},
        )
        return redirect(self.edit_url_name, current.pk) if current else redirect(self.index_url_name)

    def get(self, request, *args, **kwargs):
        response = self._current_version_redirect()
        if response is not None:
            return response
        rubric = self.get_object()
        if rubric.is_frozen:
            messages.info(
                request,
                _(
                    "Reviews have been submitted against this rubric, so it is frozen. Saving makes version "
                    "%(next)s; reviews already submitted keep version %(version)s, reviews not yet submitted use "
                    "the new version."
                )
                % {"next": rubric.version + 1, "version": rubric.version},
            )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        response = self._current_version_redirect()
        return response if response is not None else super().post(request, *args, **kwargs)

    def save_instance(self):
        # Under the row lock, so a review submitted meanwhile is seen (and the rubric it froze left alone).
        locked = Rubric.objects.select_for_update().get(pk=self.object.pk)
        self.previous_version = None
        if not locked.is_frozen:
            return super().save_instance()
        self.previous_version = locked.version
        return rubric_version_create(
            rubric=locked,
            by=self.request.user,
            title=self.form.cleaned_data["title"],
            introduction=self.form.cleaned_data.get("introduction", ""),
            criteria=criteria_from_formset(self.form.formsets["criteria"]),
        )

    def get_success_message(self):
        if getattr(self, "previous_version", None) is None:
            return super().get_success_message()
        return _(
            "The rubric was in use, so your changes were saved as version %(version)s. Reviews already submitted "
            "keep version %(previous)s."
        ) % {"version": self.object.version, "previous": self.previous_version}


class RubricDeleteView(DeleteView):
    def _refuse_frozen(self):
        if self.object.is_frozen or not self.object.is_current:
            messages.error(
                self.request,
                _("Reviews have been submitted against this rubric, so it is kept. Edit it to make a new version."),
            )
            return redirect(self.index_url_name)
        return None

    def get(self, request, *args, **kwargs):
        return self._refuse_frozen() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refuse_frozen() or super().post(request, *args, **kwargs)


CRITERION_PANELS = [
    FieldPanel("title"),
    FieldPanel("guidance"),
    FieldRowPanel([FieldPanel("weight"), FieldPanel("scale_min"), FieldPanel("scale_max"), FieldPanel("order")]),
    FieldPanel("labels", widget=PointLabelsWidget),
    FieldPanel("allow_na"),
]


class RubricViewSet(ModelViewSet):
    model = Rubric
    icon = "list-ol"
    menu_label = gettext_lazy("Rubrics")
    add_to_admin_menu = False
    list_display = ["title", "round", "version", "status_label"]
    search_fields = ["title"]
    inspect_view_enabled = False
    edit_view_class = RubricEditView
    delete_view_class = RubricDeleteView
    panels = [
        FieldPanel("round"),
        FieldPanel("title"),
        FieldPanel("introduction"),
        InlinePanel("criteria", label=gettext_lazy("Criteria"), min_num=1, panels=CRITERION_PANELS),
    ]


rubric_viewset = RubricViewSet("review_rubrics")
