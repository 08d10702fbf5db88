"""Root URLs. Every view declares a guard (qualify.core.guards); tests walk this tree to prove it."""

from allauth.account.decorators import secure_admin_login
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.contrib import admin
from django.urls import include, path

from config.api import api
from qualify.accounts.views import oidc_callback
from qualify.core import guards
from qualify.register.hot import register_status

# The admin's own password form would skip the second factor: its sign-in is allauth's (staff only once signed in).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "qualify administration"
admin.site.site_title = "qualify admin"

urlpatterns = [
    # First: Django tries the patterns in order, and the register's hot read is the most frequent request by far
    # (no other pattern starts with "api/"). A plain view answers its common case; the rest goes to the API
    # operation (qualify/register/hot.py).
    path("api/v1/register/<str:mpid>/<str:role>", register_status),
    path("api/v1/", api.urls),
    path("", include("qualify.cases.urls")),
    path("", include("qualify.core.urls")),
    path("accounts/", include("qualify.accounts.urls")),
    # Single sign-on: allauth's OpenID Connect start and callback, open to anyone (allauth checks the state; the rules
    # of accounts.sso decide who comes in). Ahead of allauth's own patterns for the same paths: the callback is ours,
    # allauth's with the id_token's signature checked as well.
    path("accounts/oidc/<str:provider_id>/login/", guards.public(oidc_views.login), name="openid_connect_login"),
    path("accounts/oidc/<str:provider_id>/login/callback/", oidc_callback, name="openid_connect_callback"),
    # Sign-in, second factors, sessions and single sign-on: django-allauth, each page guarded (identity_urls.py).
    path("accounts/", include("qualify.accounts.identity_urls")),
    path("organisations/", include("qualify.participants.urls")),
    path("plan/", include("qualify.plan.urls")),
    path("library/", include("qualify.library.urls")),
    path("qad/", include("qualify.qad.urls")),
    path("testing/", include("qualify.testing.urls")),
    path("dashboard/", include("qualify.reporting.urls")),
    path("search/", include("qualify.search.urls")),
    path("gating/", include("qualify.gating.urls")),
    path("oversight/", include("qualify.oversight.urls")),
    path("dip/", include("qualify.dip.urls")),
    path("changes/", include("qualify.changes.urls")),
    path("notifications/", include("qualify.notifications.urls")),
    path("webhooks/", include("qualify.webhooks.urls")),
    path("assessment/", include("qualify.assessment.urls")),
    path("programme/", include("qualify.programme.urls")),
    path("admin/", admin.site.urls),
]

# Styled error pages in every settings module (a page with the site's navigation; JSON under /api/).
handler400 = "qualify.core.views.bad_request"
handler403 = "qualify.core.views.permission_denied"
handler404 = "qualify.core.views.page_not_found"
handler500 = "qualify.core.views.server_error"
