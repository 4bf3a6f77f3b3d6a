from django.urls import path

from pwa import views

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="web-manifest"),
    path("pwa/session/", views.session, name="pwa-session"),
]
