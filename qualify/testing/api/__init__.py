"""Qualification Testing over the API: one router per part of the annexes, mounted together under /api/v1/."""

from ninja import Router

from qualify.testing.api import catalogue, gates

router = Router(tags=["testing"])
router.add_router("", catalogue.router)
router.add_router("", gates.router)

__all__ = ["router"]
