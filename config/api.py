"""The /api/v1 surface: every app's router under one NinjaAPI with one auth policy and one error shape."""

from __future__ import annotations

from ninja import NinjaAPI

from qualify.accounts.api_auth import PEOPLE, PEOPLE_AND_MACHINES
from qualify.assessment.api import router as assessment_router
from qualify.cases.api import router as cases_router
from qualify.changes.api import router as changes_router
from qualify.core.api import document_errors, install_error_handlers, throttle_operations
from qualify.dip.api import router as dip_router
from qualify.gating.api import router as gating_router
from qualify.library.api import router as library_router
from qualify.notifications.api import router as notifications_router
from qualify.oversight.api import router as oversight_router
from qualify.participants.api import router as participants_router
from qualify.plan.api import router as plan_router
from qualify.programme.api import router as programme_router
from qualify.qad.api import router as qad_router
from qualify.register.api import router as register_router
from qualify.reporting.api import router as reporting_router
from qualify.testing.api import router as testing_router
from qualify.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="qualify API",
    version="1",
    description=(
        "MHHS Qualification: participants, plan, cases and the register. Authenticate with "
        "'Authorization: Bearer <token>' (tokens from /accounts/tokens/) or a signed-in session (with CSRF). "
        "Objects outside your organisation answer 404, exactly as if they did not exist. A machine client's token "
        "(a market system) may use the register, gating, the library's published documents and its own webhooks only; "
        "elsewhere 403. A token's scope narrows it further: a read-only token may only GET, a register-and-gating "
        "token reaches what a market system reaches; anything else answers 403. An expired or revoked token answers "
        "401."
    ),
    auth=PEOPLE,  # machine clients are refused (403) except where an operation or router admits them
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", participants_router)
api.add_router("/", plan_router)
# Machine clients (market systems) use the register, gating and the public library's reads (``library/api.py``).
api.add_router("/", register_router, auth=PEOPLE_AND_MACHINES)
api.add_router("/", gating_router, auth=PEOPLE_AND_MACHINES)
api.add_router("/", cases_router)
api.add_router("/", qad_router)
api.add_router("/", library_router)
api.add_router("/", notifications_router)
api.add_router("/", assessment_router)
api.add_router("/", testing_router)
api.add_router("/", reporting_router)
api.add_router("/", oversight_router)
api.add_router("/", changes_router)
api.add_router("/", programme_router)
api.add_router("/", dip_router)
# Market systems manage their own webhooks (the register and consultations); people theirs (qualify/webhooks).
api.add_router("/", webhooks_router, auth=PEOPLE_AND_MACHINES)

# Expensive operations, throttled per token (or signed-in person) at QUALIFY_API_THROTTLE_RATES[scope]: over the rate
# they answer 429 with Retry-After in the shared error shape. A path here that no longer exists fails at import.
throttle_operations(
    api,
    {
        "decide": [("POST", "/gating/decisions"), ("POST", "/gating/jobs")],
        "import": [
            ("POST", "/register/import"),
            ("POST", "/programme/onboarding/preview"),
            ("POST", "/programme/onboarding/apply"),
            ("POST", "/testing/catalogues"),
            ("POST", "/testing/cases/{ref}/results/imports"),
            ("POST", "/testing/cases/{ref}/results/imports/{key}/apply"),
        ],
        "export": [
            ("GET", "/register/publication.csv"),
            ("GET", "/assessment/meetings/{key}/pack.docx"),
            ("GET", "/assessment/meetings/{key}/pack.pdf"),
            ("GET", "/testing/cases/{key}/rttm/export"),
            ("GET", "/testing/cases/{key}/rttm/snapshots/{snapshot}/export"),
            ("GET", "/programme/reports/{key}/pdf"),
            ("GET", "/programme/reports/{key}/xlsx"),
        ],
        "upload": [("POST", "/qad/cases/{key}/evidence"), ("POST", "/testing/reliance/{key}/evidence")],
    },
)
# Every operation documents the errors it can answer (401/403/404/409/413/422/429 as they apply) as ErrorOut.
document_errors(api)
