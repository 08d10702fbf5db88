from django.urls import path

from qualify.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscriptions, name="list"),
    path("<str:key>/", views.subscription_detail, name="detail"),
    path("<str:key>/active/", views.subscription_active, name="active"),
    path("<str:key>/remove/", views.subscription_remove, name="remove"),
    path("deliveries/<str:key>/resend/", views.delivery_resend_view, name="resend"),
]
