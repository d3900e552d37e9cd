from __future__ import annotations

from services.common.problems import Conflict, NotFound, Problem


class WebhookNotFound(NotFound):
    slug = "webhook-not-found"
    title = "Webhook subscription not found"

    def __init__(self, webhook_id: str) -> None:
        super().__init__(
            f"No webhook subscription {webhook_id!r} for this tenant.", webhook_id=webhook_id
        )


class DeliveryNotFound(NotFound):
    slug = "webhook-delivery-not-found"
    title = "Webhook delivery not found"

    def __init__(self, delivery_id: str) -> None:
        super().__init__(
            f"No webhook delivery {delivery_id!r} for this tenant.", delivery_id=delivery_id
        )


class DeliveryStillPending(Conflict):
    slug = "webhook-delivery-pending"
    title = "The delivery is still being retried"

    def __init__(self, delivery_id: str) -> None:
        super().__init__(
            f"Delivery {delivery_id!r} is still pending on its retry schedule; "
            "only delivered or failed deliveries can be replayed.",
            delivery_id=delivery_id,
        )


class WebhookTargetNotAllowed(Problem):
    status = 422
    slug = "webhook-target-not-allowed"
    title = "Webhook target not allowed"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            f"Webhooks cannot be sent to {url}: {reason}. Use a public http(s) URL "
            "(an operator can allow internal targets with `allow_private_targets`).",
            url=url,
            reason=reason,
        )
