"""`referral adt`: import HL7 v2 ADT messages from files, or listen for them over MLLP."""

from __future__ import annotations

import socketserver
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

PROGRESS_EVERY = 1000
MLLP_END = b"\x1c\x0d"


@click.group("adt")
def adt_group() -> None:
    """Hospital admit, discharge and ED messages (HL7 v2 ADT)."""


def feed_organization(slug: str | None) -> int | None:
    """The id of the organization a feed is for, or a usage error naming the ones there are."""
    from referral.errors import AppError
    from referral.network.operations import organization_named

    if not slug:
        return None
    try:
        return organization_named(slug, "organization").id
    except AppError as exc:
        raise click.BadParameter(exc.message, param_hint="--org") from exc


ORGANIZATION_OPTION = click.option(
    "--organization",
    "--org",
    "slug",
    default=None,
    help="Match within this organization (its key).",
)
"""The feed's organization, for both commands."""


@adt_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@ORGANIZATION_OPTION
@with_appcontext
def adt_import(path: Path, slug: str | None) -> None:
    """Store and match the ADT messages in PATH (a file, or a folder of files)."""
    from referral.cli import require_database, say
    from referral.transitions.importing import import_messages, read_messages

    require_database()
    organization_id = feed_organization(slug)
    seen = [0]

    def progress(counts) -> None:
        total = sum(counts.values())
        if total // PROGRESS_EVERY > seen[0]:
            seen[0] = total // PROGRESS_EVERY
            say(f"{total} messages read")

    settings = current_app.config["REFERRAL"]
    counts = import_messages(read_messages(path), settings, organization_id, progress)
    click.echo(", ".join(f"{counts[name]} {name}" for name in counts))


class MllpHandler(socketserver.StreamRequestHandler):
    """One connection: each framed message is stored and answered with an ACK."""

    def handle(self) -> None:
        """Read frames until the sender hangs up."""
        buffer = b""
        while True:
            data = self.request.recv(65536)
            if not data:
                return
            buffer += data
            while MLLP_END in buffer:
                frame, buffer = buffer.split(MLLP_END, 1)
                self.wfile.write(b"\x0b" + self.server.answer(frame) + MLLP_END)


class MllpServer(socketserver.ThreadingTCPServer):
    """An MLLP listener storing messages for an app (one at a time, in its context)."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, app, organization_id=None) -> None:
        import threading

        super().__init__(address, MllpHandler)
        self.app, self.organization_id = app, organization_id
        self.lock = threading.Lock()

    def answer(self, frame: bytes) -> bytes:
        """Store one frame's message; the ACK to send back."""
        from referral.transitions.adt import ack
        from referral.transitions.importing import store_received

        raw = frame.decode("utf-8", errors="replace").replace("\x0b", "").strip("\r\n")
        host, port = self.server_address[:2]
        with self.lock, self.app.app_context():
            settings = self.app.config["REFERRAL"]
            parsed, new = store_received(raw, f"mllp:{host}:{port}", settings, self.organization_id)
        return ack(parsed, new).encode("utf-8")


@adt_group.command("listen")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2575, show_default=True, type=int)
@ORGANIZATION_OPTION
@with_appcontext
def adt_listen(host: str, port: int, slug: str | None) -> None:
    """Listen for ADT messages over MLLP, store each and answer with an HL7 ACK."""
    from referral.cli import require_database, say

    require_database()
    organization_id = feed_organization(slug)
    app = current_app._get_current_object()
    with MllpServer((host, port), app, organization_id) as server:
        say(f"listening for HL7 over MLLP on {host}:{server.server_address[1]}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            say("stopped")
