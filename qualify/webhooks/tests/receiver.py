"""A real HTTP receiver on loopback for the webhook tests, checking signatures on its own (not with our signer).

It keeps every request in arrival order, answers from a script of status codes (then 200), and, like a careful
subscriber, counts each ``webhook-id`` once however often it arrives (``unique_ids``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check, written from the convention: HMAC-SHA256 of id.timestamp.body, base64."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = headers["webhook-id"].encode() + b"." + headers["webhook-timestamp"].encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ") if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, s) for s in offered)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def document(self) -> Any:
        return json.loads(self.body)

    @property
    def subject(self) -> str:
        return str(self.document["data"]["subject"])


@dataclass
class Receiver:
    url: str = ""
    script: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def delivered(self) -> list[Received]:
        return [r for r in self.requests if 200 <= r.status < 300]

    def unique_ids(self) -> dict[str, int]:
        """How many times each event id was accepted (an idempotent receiver acts on the first only)."""
        seen: dict[str, int] = {}
        for r in self.delivered:
            seen[r.headers["webhook-id"]] = seen.get(r.headers["webhook-id"], 0) + 1
        return seen


@contextmanager
def receiving(path: str = "/hook") -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the sender expects

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with receiver.lock:
                status = receiver.script.pop(0) if receiver.script else 200
                receiver.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body, status))
            reply = b"ok" if status < 300 else b"broken \x00 <b>down</b>"
            self.send_response(status)
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
