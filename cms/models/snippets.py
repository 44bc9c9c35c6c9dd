"""Site-wide alerts (e.g. a contaminated drug supply), shown on every public page between start and expiry."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index

from cms import sitestate


class AlertQuerySet(models.QuerySet):
    def current(self, at=None):
        at = at or timezone.now()
        return (
            self.filter(live=True, starts_at__lte=at)
            .filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at))
            .order_by("-severity_rank", "-starts_at", "-pk")
        )

    def next_change_after(self, at):
        """When the set of current alerts next changes (a start or an expiry in the future), or None. Every uncached
        page asks: over all alerts, the answer comes from the per-process copy of the alerts (cms/sitestate.py)."""
        state = sitestate.current() if not self.query.has_filters() else None
        if state is not None:
            return state.next_alert_change(at)
        found = self.filter(live=True).aggregate(  # one query for both (every uncached page asks)
            starts=models.Min("starts_at", filter=models.Q(starts_at__gt=at)),
            expiries=models.Min("expires_at", filter=models.Q(expires_at__gt=at)),
        )
        moments = [m for m in (found["starts"], found["expiries"]) if m]
        return min(moments) if moments else None


class Alert(TranslatableMixin, index.Indexed, models.Model):
    class Severity(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical: health and safety")

    SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.CRITICAL: 3}

    message = models.CharField(
        _("message"),
        max_length=300,
        help_text=_("One or two plain sentences: what happened and what people should do."),
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    # Stored so the most severe alert sorts first without a CASE expression.
    severity_rank = models.PositiveSmallIntegerField(default=2, editable=False)
    link_url = models.URLField(_("link for more information"), blank=True)
    link_text = models.CharField(
        _("link text"), max_length=80, blank=True, help_text=_("Defaults to 'More information'.")
    )
    starts_at = models.DateTimeField(_("show from"), default=timezone.now)
    expires_at = models.DateTimeField(
        _("show until"), null=True, blank=True, help_text=_("Leave empty to show until switched off.")
    )
    live = models.BooleanField(_("show on the site"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertQuerySet.as_manager()

    panels = [
        FieldPanel("message"),
        FieldPanel("severity"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("expires_at")]),
        FieldRowPanel([FieldPanel("link_url"), FieldPanel("link_text")]),
        FieldPanel("live"),
    ]
    search_fields = [index.SearchField("message"), index.AutocompleteField("message")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("site alert")
        verbose_name_plural = _("site alerts")

    def __str__(self):
        return self.message

    def clean(self):
        super().clean()
        if self.expires_at and self.starts_at and self.expires_at <= self.starts_at:
            raise ValidationError({"expires_at": _("The alert must end after it starts.")})

    def save(self, *args, **kwargs):
        self.severity_rank = self.SEVERITY_RANK.get(self.severity, 1)
        if kwargs.get("update_fields") is not None and "severity" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "severity_rank"}
        super().save(*args, **kwargs)

    def is_current(self, at=None):
        at = at or timezone.now()
        return self.live and self.starts_at <= at and (self.expires_at is None or self.expires_at > at)
