from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from sdgnet.catalog import views as catalog_views
from sdgnet.dashboards import views as dashboard_views
from sdgnet.participation import views as participation_views
from sdgnet.partners import views as partner_views
from sdgnet.reports import views as report_views
from sdgnet.web import views as web_views
from sdgnet.web.api import api
from sdgnet.web.api import not_found as api_not_found

handler404 = web_views.not_found

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", web_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", api_not_found),
]
urlpatterns += i18n_patterns(
    path("", web_views.home, name="home"),
    path("places/<str:code>/", dashboard_views.place_dashboard, name="place"),
    path(
        "places/<str:code>/goals/<int:number>/",
        dashboard_views.place_goal_page,
        name="place-goal",
    ),
    path("places/<str:code>/report/", report_views.council_report_page, name="council-report"),
    path(
        "places/<str:code>/report.pdf", report_views.council_report_pdf, name="council-report-pdf"
    ),
    path(
        "places/<str:code>/proposals/",
        participation_views.place_proposal_list,
        name="place-proposals",
    ),
    path("places/<str:code>/proposals/new/", participation_views.proposal_new, name="proposal-new"),
    path(
        "places/<str:code>/priorities/",
        participation_views.place_priorities,
        name="place-priorities",
    ),
    path("places/<str:code>/pledges/", partner_views.place_pledge_list, name="place-pledges"),
    path("indicators/<slug:key>/", dashboard_views.indicator_page, name="indicator"),
    path("compare/", dashboard_views.compare_page, name="compare"),
    path("network/", dashboard_views.network_page, name="network-overview"),
    path("search/", dashboard_views.search_page, name="search"),
    path("goals/<int:number>/", catalog_views.goal_detail, name="goal"),
    path("frameworks/", include("sdgnet.catalog.urls")),
    path("accounts/", include("sdgnet.accounts.urls")),
    path("data/", include("sdgnet.observations.urls")),
    path("network/", include("sdgnet.network.urls")),
    path("projects/", include("sdgnet.projects.urls")),
    path("proposals/", include("sdgnet.participation.urls")),
    path("pledges/", include("sdgnet.partners.urls")),
    prefix_default_language=False,
)
