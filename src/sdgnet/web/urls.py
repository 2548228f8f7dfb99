from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from sdgnet.catalog import views as catalog_views
from sdgnet.places import views as places_views
from sdgnet.web import views as web_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", web_views.healthz, name="healthz"),
]
urlpatterns += i18n_patterns(
    path("", web_views.home, name="home"),
    path("places/<str:code>/", places_views.place_detail, name="place"),
    path("goals/<int:number>/", catalog_views.goal_detail, name="goal"),
    path("accounts/", include("sdgnet.accounts.urls")),
    prefix_default_language=False,
)
