"""Standard Webhooks signing (https://www.standardwebhooks.com/): secrets and headers."""

from __future__ import annotations

import base64
import os
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh 32-byte signing secret in the spec's ``whsec_<base64>`` form."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()


def signature_headers(
    secret: str, message_id: str, timestamp: datetime, body: bytes
) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` for ``body``."""
    signature = Webhook(secret).sign(message_id, timestamp, body.decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
