"""Real servers on this machine for the notification tests: an SMTP server (aiosmtpd) that
keeps what it is given, and an HTTP server speaking Twilio's Messages API."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

REFUSED_PREFIX = "nobody@"
INVALID_NUMBER = "+12165550199"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-twilio-auth-token"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that refuses `nobody@…` with 550 and keeps every other message."""

    def __init__(self) -> None:
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith(REFUSED_PREFIX):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A running SMTP server on 127.0.0.1 and what it received."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return list(self.mailbox.messages)

    def settings(self) -> dict:
        """The settings that send mail here."""
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_FROM": "care@clinic.example",
        }

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class TwilioHandler(BaseHTTPRequestHandler):
    """`POST /2010-04-01/Accounts/{sid}/Messages.json`, as Twilio answers it."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        expected = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
        self.server.requests.append(
            SimpleNamespace(path=self.path, form=form, headers=dict(self.headers))
        )
        if self.path != expected:
            return self.answer(404, {"code": 20404, "message": "Not found", "status": 404})
        if form.get("To") == INVALID_NUMBER:
            body = {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
            return self.answer(400, body)
        sid = "SM" + uuid.uuid4().hex
        return self.answer(
            201,
            {
                "sid": sid,
                "status": "queued",
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body"),
                "account_sid": TWILIO_SID,
            },
        )

    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class TwilioServer:
    """A running fake of Twilio's Messages API and the requests it got."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), TwilioHandler)
        self.server.requests = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def requests(self):
        return list(self.server.requests)

    def settings(self) -> dict:
        """The settings that send texts here."""
        host, port = self.server.server_address
        return {
            "SMS_PROVIDER": "twilio",
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM": "+12165550000",
            "TWILIO_API_BASE": f"http://{host}:{port}",
        }

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
