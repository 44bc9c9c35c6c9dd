"""Who we fund (a filterable directory with one page per grant) and what it achieved (the impact dashboard)."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path

from .base import BasePage

DIRECTORY_PAGE_SIZE = 20


class GrantsDirectoryPage(RoutablePageMixin, BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1
    content_panels = BasePage.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("grants directory page")

    @path("")
    def directory(self, request):
        from cms import selectors
        from cms.forms import DirectoryFilterForm

        form = DirectoryFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        grants = selectors.directory_grants(**filters)
        paginator = Paginator(grants, DIRECTORY_PAGE_SIZE)
        try:
            page_obj = paginator.page(request.GET.get("page") or 1)
        except (EmptyPage, PageNotAnInteger):
            page_obj = paginator.page(paginator.num_pages if request.GET.get("page", "").isdigit() else 1)
        query = request.GET.copy()
        query.pop("page", None)
        return self.render(
            request,
            context_overrides={
                "filter_form": form,
                "page_obj": page_obj,
                "grants": selectors.grant_rows(page_obj.object_list, self),
                "total_count": paginator.count,
                "querystring": query.urlencode(),
            },
        )

    @path("<int:grant_id>/", name="grant")
    def grant(self, request, grant_id):
        from cms import selectors

        grant = selectors.directory_grant(grant_id, self)
        if grant is None:
            raise Http404
        return self.render(
            request,
            template="cms/grant_detail_page.html",
            context_overrides={"grant": grant, "canonical_url": request.build_absolute_uri(grant.url)},
        )

    def grant_url(self, grant_id):
        return self.url + self.reverse_subpage("grant", args=[grant_id])


class ImpactPage(BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1
    content_panels = BasePage.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("impact page")

    def get_context(self, request, *args, **kwargs):
        from cms import charts, selectors

        context = super().get_context(request, *args, **kwargs)
        fund = selectors.site_fund(request)
        totals = selectors.money_totals(fund)
        by_year = selectors.grants_by_year()
        by_round = selectors.grants_by_round()
        years = [row["year"] for row in by_year]
        metrics = selectors.impact_metrics(years)
        trend_metric = metrics[0] if metrics else None
        trend = selectors.impact_trend(trend_metric["key"]) if trend_metric else []
        context.update(
            totals=totals,
            counts=selectors.grant_counts(),
            metrics=metrics,
            metric_years=years,
            trend_metric=trend_metric,
            trend=trend,
            trend_chart=charts.bar_chart(
                [(row["period"], row["total"]) for row in trend],
                title_id="chart-trend",
                currency=None,
            ),
            by_year=by_year,
            by_round=by_round,
            year_chart=charts.bar_chart(
                [(str(row["year"]), row["amount"]) for row in by_year],
                title_id="chart-by-year",
                currency=totals["currency"],
            ),
            round_chart=charts.bar_chart(
                [(row["round"], row["amount"]) for row in by_round],
                title_id="chart-by-round",
                currency=totals["currency"],
            ),
        )
        return context
