from django.urls import path

from summaries import views

app_name = "summaries"
urlpatterns = [
    path("summaries/", views.summary_list, name="list"),
]
