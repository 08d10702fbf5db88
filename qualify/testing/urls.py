from django.urls import path

from qualify.testing import views

app_name = "testing"
urlpatterns = [
    path("catalogues/", views.catalogue_list_view, name="catalogues"),
    path("catalogues/upload/", views.catalogue_upload_view, name="catalogue_upload"),
    path("catalogues/<str:version>/", views.catalogue_detail_view, name="catalogue_detail"),
    path("catalogues/<str:version>/publish/", views.catalogue_publish_view, name="catalogue_publish"),
]
