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
]
