from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from pamilu import health, views
from pamilu.api import docs as api_docs

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health.health, name="health"),
    path("", include("pwa.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        account_views.LoginView.as_view(),
        name="login",
    ),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("accounts/keepalive/", account_views.keepalive, name="keepalive"),
    path(
        "accounts/password/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        account_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Before the admin's own login: the admin signs in through the app's sign-in.
    path("admin/login/", account_views.admin_login),
    path("admin/password_change/", account_views.admin_password_change),
    path("admin/", admin.site.urls),
    path("api/v1/", include("pamilu.api.urls")),
    path("api/schema/", api_docs.schema, name="api-schema"),
    path("api/docs/", api_docs.docs, name="api-docs"),
    path("", include("personnel.urls")),
    path("", include("reports.urls")),
    path("", include("summaries.urls")),
    path("", include("dashboard.urls")),
]

if settings.PAMILU_BENCH:  # bench/national.py only: the floor endpoints
    urlpatterns.append(path("bench/", include("testbed.urls")))

handler404 = "pamilu.api.errors.handler404"
handler500 = "pamilu.resilience.handler500"
