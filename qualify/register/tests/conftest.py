import pytest

from qualify.register.snapshot import stop_listening


@pytest.fixture(autouse=True)
def _close_the_register_listener():
    """A read outside a transaction on PostgreSQL opens a listening connection; the test database cannot be dropped
    while it is open, so each test here closes it on the way out."""
    yield
    stop_listening()
