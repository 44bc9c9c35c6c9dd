"""Admin widgets of the review app."""

import json

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .models import SCALE_TOP


class PointLabelsWidget(forms.Widget):
    """A criterion's point labels as one text field per point (0 to SCALE_TOP), not as JSON. Without JavaScript every
    point is offered (fill in those of your scale); with it, points outside the chosen scale are hidden. The posted
    fields become the JSON string the model's JSONField form field expects: {"1": "Weak", ...}."""

    points = range(0, SCALE_TOP + 1)

    class Media:
        js = ["js/review-point-labels.js"]

    @staticmethod
    def _labels(value) -> dict:
        if isinstance(value, dict):
            return value
        if isinstance(value, str) and value:
            try:
                parsed = json.loads(value)
            except ValueError:
                return {}
            return parsed if isinstance(parsed, dict) else {}
        return {}

    def render(self, name, value, attrs=None, renderer=None):
        # Rendered here rather than from a template: form widgets use Django's own template engine, which does not
        # look in the project's templates directory.
        labels = self._labels(value)
        base_id = (attrs or {}).get("id") or f"id_{name}"
        rows = format_html_join(
            "\n",
            '<div class="review-point-label" data-point="{0}"><label for="{1}_{0}">{2}</label> '
            '<input type="text" name="{3}_{0}" id="{1}_{0}" value="{4}" maxlength="100"></div>',
            (
                (point, base_id, _("Point %(point)s") % {"point": point}, name, labels.get(str(point), ""))
                for point in self.points
            ),
        )
        return format_html(
            '<fieldset class="review-point-labels" data-review-point-labels data-prefix="{}">'
            '<legend class="w-sr-only">{}</legend>{}</fieldset>',
            name.removesuffix("labels"),
            _("Label for each point of the scale (optional)"),
            rows,
        )

    def value_from_datadict(self, data, files, name):
        labels = {}
        for point in self.points:
            text = (data.get(f"{name}_{point}") or "").strip()
            if text:
                labels[str(point)] = text[:100]
        return json.dumps(labels)

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{point}" in data for point in self.points)

    def id_for_label(self, id_):
        return ""  # each point has its own label; the group has a legend
