from django.urls import path

from qualify.testing.views import catalogue

app_name = "testing"
urlpatterns = [
    path("catalogues/", catalogue.catalogue_list_view, name="catalogues"),
    path("catalogues/upload/", catalogue.catalogue_upload_view, name="catalogue_upload"),
    path("catalogues/<str:version>/", catalogue.catalogue_detail_view, name="catalogue_detail"),
    path("catalogues/<str:version>/publish/", catalogue.catalogue_publish_view, name="catalogue_publish"),
]
