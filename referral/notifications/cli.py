"""`referral worker` sends what is queued; `referral notify` runs the daily jobs by hand."""

from __future__ import annotations

import signal
import threading
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext


def say(line: str) -> None:
    """Progress on standard error."""
    click.echo(line, err=True)


@click.command("worker")
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between looks at the outbox (default REFERRAL_WORKER_INTERVAL, 5).",
)
@with_appcontext
def worker_command(once: bool, interval: float | None) -> None:
    """Send queued email and texts, retrying failures; with --once, what is due now only."""
    from referral.cli import require_database
    from referral.notifications.worker import run_forever, run_once

    require_database()
    if once:
        counts = run_once(say)
        click.echo(
            f"Sent {counts.sent:,}; {counts.retrying:,} to retry later; "
            f"{counts.failed:,} failed; {counts.refused:,} refused."
        )
        for error in counts.errors:
            click.echo(f"  {error}", err=True)
        return
    app = current_app._get_current_object()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    wait = interval or app.config["REFERRAL"]["WORKER_INTERVAL"]
    click.echo(f"Worker sending every {wait:g} s (press Ctrl+C to stop)")
    try:
        run_forever(app, wait, stop)
    except KeyboardInterrupt:
        stop.set()


@click.group("notify")
def notify_group() -> None:
    """Queue the daily notifications now (the worker also does this once a day)."""


@notify_group.command("digest")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None)
@with_appcontext
def notify_digest(day) -> None:
    """Queue each case manager's digest of follow-ups due (once per person per day)."""
    from referral.notifications.daily import queue_digests

    queued = run_daily(queue_digests, day)
    click.echo(f"Queued {queued:,} digest(s); `referral worker --once` sends them.")


@notify_group.command("follow-ups")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None)
@with_appcontext
def notify_follow_ups(day) -> None:
    """Queue the follow-up question texts of referrals due (once per referral per due date)."""
    from referral.notifications.daily import queue_follow_up_texts

    queued = run_daily(queue_follow_up_texts, day)
    click.echo(f"Queued {queued:,} follow-up text(s); `referral worker --once` sends them.")


def run_daily(job, day) -> int:
    """Run one daily job for `day` (today when None) with public links, and commit."""
    from referral.cli import require_database
    from referral.extensions import db
    from referral.notifications.worker import public_request_context

    require_database()
    with public_request_context():
        queued = job(day.date() if day else date.today())
    db.session.commit()
    return queued
