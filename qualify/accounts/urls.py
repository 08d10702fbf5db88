from django.urls import path

from qualify.accounts import views

app_name = "accounts"
urlpatterns = [
    # allauth's sign-in, sign-out and password reset (qualify/accounts/identity_urls.py), also by the names the site
    # has always used, at the same addresses.
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:uuid>/revoke/", views.token_revoke, name="token_revoke"),
    path("sso/", views.sso_start, name="sso_start"),
    path("identity-providers/", views.identity_providers, name="identity_providers"),
    path("identity-providers/new/", views.identity_provider_new, name="identity_provider_new"),
    path("identity-providers/<str:uuid>/", views.identity_provider, name="identity_provider"),
    path("identity-providers/<str:uuid>/enabled/", views.identity_provider_enabled, name="identity_provider_enabled"),
]
