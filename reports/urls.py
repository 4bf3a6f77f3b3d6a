from django.urls import path

from reports import home, views

app_name = "reports"
urlpatterns = [
    path("reports/today/", home.kapolsek_home, name="home"),
    path("reports/", views.report_list, name="list"),
    path("reports/queue/", views.review_queue, name="queue"),
    path("reports/new/", views.report_create, name="create"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="submit"),
    path("reports/<int:pk>/accept/", views.report_accept, name="accept"),
    path("reports/<int:pk>/return/", views.report_return, name="return"),
    path("reports/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path(
        "reports/attachments/<int:pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
