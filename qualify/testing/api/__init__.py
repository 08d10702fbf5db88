"""Qualification Testing over the API: one router per part of the annexes, mounted together under /api/v1/."""

from ninja import Router

from qualify.testing.api import catalogue, gates, prequalification, reliance, results, runs, scope

router = Router(tags=["testing"])
router.add_router("", catalogue.router)
router.add_router("", prequalification.router)
router.add_router("", reliance.router)
router.add_router("", scope.router)
router.add_router("", runs.router)
router.add_router("", results.router)
router.add_router("", gates.router)

__all__ = ["router"]

# The RTTM and the Test Completion Report.
from qualify.testing.api import rttm  # noqa: E402

router.add_router("", rttm.router)
