from django.urls import path

from summaries import views

app_name = "summaries"
urlpatterns = [
    path("summaries/", views.summary_list, name="list"),
    path("summaries/<int:pk>/", views.summary_detail, name="detail"),
    path("summaries/<int:pk>/pdf/", views.summary_pdf, name="pdf"),
    path("summaries/<int:pk>/xlsx/", views.summary_xlsx, name="xlsx"),
    path("summaries/notices/", views.notice_list, name="notices"),
    path("summaries/notices/<int:pk>/acknowledge/", views.notice_acknowledge, name="notice_ack"),
]
