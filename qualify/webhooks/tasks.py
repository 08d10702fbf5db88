"""Background work: one sender per subscription (``dispatch.subscription_drain``), queued after commit."""

from __future__ import annotations

from django_tasks import task

from qualify.webhooks.dispatch import subscription_drain


@task()
def deliver_subscription(subscription_id: int) -> int:
    return subscription_drain(subscription_id)
