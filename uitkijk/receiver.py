"""A local webhook receiver for the demo: verifies Standard Webhooks signatures and shows them.

It checks the signature with its own HMAC-SHA256 (``v1,<base64>`` over ``{id}.{timestamp}.{body}``
with the base64 secret after ``whsec_``), independently of the sender's library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_is_valid(
    secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300
) -> bool:
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (msg_id and stamp.isdigit() and signatures):
        return False
    if abs(time.time() - int(stamp)) > tolerance:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    return any(
        hmac.compare_digest(part.split(",", 1)[1], expected)
        for part in signatures.split()
        if part.startswith("v1,")
    )


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    valid: bool

    @property
    def event(self) -> dict[str, object]:
        value = json.loads(self.body)
        return value if isinstance(value, dict) else {"value": value}


@dataclass
class WebhookReceiver:
    """``with WebhookReceiver() as r: ...``; set ``secret`` once the subscription exists."""

    secret: str | None = None
    on_message: Callable[[Received], None] | None = None
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}/webhooks/uitkijk"

    def __enter__(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                valid = bool(receiver.secret) and signature_is_valid(
                    receiver.secret or "", headers, body
                )
                message = Received(headers, body, valid)
                receiver.received.append(message)
                self.send_response(204 if valid else 401)
                self.end_headers()
                if receiver.on_message is not None:
                    receiver.on_message(message)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
