"""The site's own error page, the lifecycle diagram, the help pages and the glossary, in Chromium at 1400 px and
390 px: each has the navigation, and none scrolls sideways (the diagram scrolls inside its own box instead)."""

from __future__ import annotations

import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = (1400, 390)


def _sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width} px"


@pytest.mark.parametrize("width", WIDTHS)
def test_error_page_lifecycle_diagram_and_help_fit_the_screen(page, live_server, live_cast, width):
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server, "lead@northwind.test")

    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert page.get_by_role("heading", name="We could not find that page").is_visible()
    # The site's navigation: in full at 1400 px, behind its Menu button on a phone.
    if width < 760:
        page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("navigation", name="Main").count() == 1
    _no_sideways_scroll(page, width)
    page.get_by_test_id("way-back").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/cases/lifecycle/")
    diagram = page.get_by_test_id("lifecycle-diagram")
    assert diagram.locator("svg").is_visible()
    assert diagram.locator("g.node").count() >= 21 and diagram.locator("g.edge").count() >= 27
    _no_sideways_scroll(page, width)
    fits = diagram.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert fits is (width == 1400)  # readable whole on a wide screen; on a phone it scrolls in its own box

    for path in ("/help/", "/help/lead/", "/glossary/"):
        page.goto(f"{live_server.url}{path}")
        _no_sideways_scroll(page, width)
