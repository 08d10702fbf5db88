"""Who may look at the admin site, and what it lets them do.

A person flagged ``is_staff`` ("may open the Django admin": the programme administrator that ``load_demo`` and
``create_account --admin-site`` create) may read every record there. Nobody changes anything through it: every
``ModelAdmin`` refuses adding, changing and deleting (``qualify.core.admin.ReadOnlyAdmin``), since every write goes
through a service. This backend grants only the ``view_*`` permissions; it never signs anyone in.
"""

from __future__ import annotations

from typing import Any


def _may_open_admin(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


class StaffReadOnlyBackend:
    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return _may_open_admin(user_obj) and perm.partition(".")[2].startswith("view_")

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return _may_open_admin(user_obj)
