"""Events hashed before the audit key existed (plain SHA-256) still verify, under keyed ones (issue 14).

Its own module: it needs an empty log, without the cast's events.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from qualify.audit.checkpoints import checkpoint_write, verify_checkpoints
from qualify.audit.models import AuditChainHead, AuditEvent, HashScheme
from qualify.audit.services import GENESIS, audit_record, verify_chain
from qualify.audit.tests.test_tamper import plain_hash
from qualify.core.actor import system_actor


@pytest.fixture(autouse=True)
def _checkpoint_dir(settings, tmp_path):
    settings.QUALIFY_AUDIT_CHECKPOINT_DIR = tmp_path


def test_events_hashed_before_the_key_still_verify_under_keyed_ones(db):
    # Two events as the log held them before the key: plain SHA-256, scheme 1.
    prev = GENESIS
    for seq in (1, 2):
        event = AuditEvent(
            seq=seq,
            at=timezone.now(),
            actor_name="before the key",
            action="audit.old",
            object_type="t",
            object_id=str(seq),
            changes={"n": seq},
            prev_hash=prev,
            scheme=HashScheme.SHA256,
        )
        event.hash = plain_hash(event, prev)
        event.save()
        prev = event.hash
    AuditChainHead.objects.create(id=1, last_seq=2, last_hash=prev)

    new = audit_record(
        actor=system_actor(), action="audit.new", organisation_id=None, changes={}, object_type="t", object_id="3"
    )
    assert (new.seq, new.scheme, new.prev_hash) == (3, HashScheme.HMAC_SHA256, prev)
    assert new.hash != plain_hash(new, prev)  # keyed
    assert list(verify_chain()) == []
    assert checkpoint_write().first_keyed_seq == 3
    assert verify_checkpoints().breaks == []
