from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from pamilu import health, views
from pamilu.api import docs as api_docs

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        account_views.LoginView.as_view(),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("pamilu.api.urls")),
    path("api/schema/", api_docs.schema, name="api-schema"),
    path("api/docs/", api_docs.docs, name="api-docs"),
    path("", include("personnel.urls")),
    path("", include("reports.urls")),
    path("", include("summaries.urls")),
    path("", include("dashboard.urls")),
]

handler404 = "pamilu.api.errors.handler404"
handler500 = "pamilu.resilience.handler500"
