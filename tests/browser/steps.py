"""Steps the browser journeys share."""

from __future__ import annotations

from typing import Any


def confirm_in_dialog(page: Any, button: Any, *, expect_text: str = "") -> None:
    """Press a button whose step asks first (``core/confirm.js``): the dialog says what will happen, the step is
    not taken until the person says yes in it."""
    from playwright.sync_api import expect

    button.click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    if expect_text:
        expect(dialog).to_contain_text(expect_text)
    dialog.get_by_role("button", name="Yes", exact=False).click()
