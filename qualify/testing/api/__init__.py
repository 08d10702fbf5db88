"""Qualification Testing over the API: one router per part of the annexes, mounted together under /api/v1/."""

from ninja import Router

from qualify.testing.api import catalogue, prequalification, reliance, scope

router = Router(tags=["testing"])
router.add_router("", catalogue.router)
router.add_router("", prequalification.router)
router.add_router("", reliance.router)
router.add_router("", scope.router)

__all__ = ["router"]
