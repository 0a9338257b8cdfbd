"""The worker: claim what is due, send it, record what happened, and run the daily jobs.

Rows are claimed in a short transaction of their own (`FOR UPDATE SKIP LOCKED` on PostgreSQL,
and on every database an update that only succeeds while the row is as it was read), marked
`sending` and committed before anything is sent, so two workers never send one row. A row left
in `sending` by a crash is claimed again after `WORKER_SENDING_TIMEOUT` seconds and sent with
the same idempotency key, which lets the provider recognise the resend.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update

from referral.directory.models import utcnow
from referral.extensions import db
from referral.notifications import rules
from referral.notifications.models import OutboxMessage
from referral.notifications.operations import sms_problem
from referral.notifications.providers import DeliveryError, Outgoing, Providers
from referral.patients.models import Patient
from referral.search.hours import local_now

log = logging.getLogger(__name__)
BATCH = 50


@dataclass
class Counts:
    """What one run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        """How many messages the run dealt with."""
        return self.sent + self.retrying + self.failed + self.refused


def providers() -> Providers:
    """The providers of the current app, built by its factory from its settings."""
    app = current_app
    return app.extensions["notification_providers"](app.config["REFERRAL"])


def due_condition(now):
    """Rows due: queued and their time has come, or stuck in `sending` past the timeout."""
    timeout = timedelta(seconds=current_app.config["REFERRAL"]["WORKER_SENDING_TIMEOUT"])
    return or_(
        and_(OutboxMessage.status == rules.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == rules.SENDING, OutboxMessage.claimed_at <= now - timeout),
    )


def claim(limit: int = BATCH) -> list[int]:
    """Mark up to `limit` due rows `sending` for this worker and commit; their ids."""
    now = utcnow()
    query = (
        select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts)
        .where(due_condition(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # SQLite has no row locks: the update below decides
    )
    claimed = [row_id for row_id, *seen in db.session.execute(query) if take(row_id, *seen, now)]
    db.session.commit()
    return claimed


def take(row_id: int, status: str, attempts: int, now) -> bool:
    """Claim one row if nobody else changed it since it was read."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == status,
            OutboxMessage.attempts == attempts,
        )
        .values(status=rules.SENDING, claimed_at=now, attempts=attempts + 1)
    )
    return result.rowcount == 1


def deliver(row_id: int, chosen: Providers, counts: Counts) -> None:
    """Send one claimed row and record the outcome (committed)."""
    row = db.session.get(OutboxMessage, row_id)
    problem = still_refused(row)
    if problem:
        finish(row, rules.REFUSED, counts, problem)
        return
    try:
        row.provider_id = chosen.of(row.channel).send(outgoing(row))
    except DeliveryError as exc:
        failed(row, exc, counts)
    else:
        row.sent_at = utcnow()
        finish(row, rules.SENT, counts)


def still_refused(row: OutboxMessage) -> str | None:
    """Why a claimed row must not go after all: no address, or the patient has since said
    no to texts (STOP, consent withdrawn, another channel chosen)."""
    if not row.recipient:
        return row.last_error or "there is no address to send to"
    if row.channel == rules.SMS and row.patient_id:
        return sms_problem(db.session.get(Patient, row.patient_id))
    return None


def failed(row: OutboxMessage, error: DeliveryError, counts: Counts) -> None:
    """Record a failed attempt: retried after the back-off, or failed for good."""
    again = None if error.permanent else rules.retry_at(row.attempts, utcnow())
    if again is None:
        finish(row, rules.FAILED, counts, str(error))
        return
    row.next_attempt_at = again
    finish(row, rules.QUEUED, counts, str(error))


def finish(row: OutboxMessage, status: str, counts: Counts, error: str = "") -> None:
    """Write a row's new status and error, and count it."""
    row.status, row.last_error, row.claimed_at = status, error[:1000], None
    db.session.commit()
    if status == rules.SENT:
        counts.sent += 1
    elif status == rules.QUEUED:
        counts.retrying += 1
    elif status == rules.FAILED:
        counts.failed += 1
    else:
        counts.refused += 1
    if error and status != rules.REFUSED:
        counts.errors.append(f"#{row.id} {row.channel} to {row.recipient}: {error}")


def outgoing(row: OutboxMessage) -> Outgoing:
    """A row as the provider sends it."""
    return Outgoing(
        row.channel,
        row.recipient,
        row.subject,
        row.body,
        row.html,
        row.idempotency_key,
        row.language,
    )


def run_once(progress: Callable[[str], None] | None = None) -> Counts:
    """Send everything due now, batch by batch, then return what happened."""
    counts = Counts()
    chosen = providers()
    try:
        while batch := claim():
            for row_id in batch:
                deliver(row_id, chosen, counts)
            if progress:
                progress(f"{counts.handled:,} handled ({counts.sent:,} sent)")
    finally:
        chosen.close()
        db.session.remove()
    return counts


def run_daily_jobs(today: date) -> dict[str, int]:
    """Queue the case managers' digests and the patients' follow-up texts of `today`."""
    from referral.notifications.daily import queue_digests, queue_follow_up_texts

    with public_request_context():
        counts = {"digests": queue_digests(today), "texts": queue_follow_up_texts(today)}
        db.session.commit()
    return counts


def public_request_context():
    """A request context whose links point at the installation's public address."""
    base = current_app.config["REFERRAL"]["PUBLIC_URL"] or "http://localhost:5000"
    return current_app.test_request_context(base_url=base)


def clinic_now():
    """Now on the installation's clock."""
    return local_now(current_app.config["REFERRAL"]["DEFAULT_TIMEZONE"])


def run_forever(app: Flask, interval: float, stop: threading.Event, daily: bool = True) -> None:
    """Send what is due every `interval` seconds and the daily jobs once a day, until `stop`."""
    last_day = None
    while not stop.is_set():
        with app.app_context():
            try:
                now = clinic_now()
                if daily and rules.daily_run_due(
                    now, app.config["REFERRAL"]["DAILY_HOUR"], last_day
                ):
                    run_daily_jobs(now.date())
                    last_day = now.date()
                run_once()
            except Exception:
                log.exception("the notification worker hit an error; it goes on")
                db.session.remove()
        stop.wait(interval)


def start_in_process(app: Flask) -> threading.Event:
    """Run the worker in a thread of this process (for `referral serve`); set the event to stop."""
    stop = threading.Event()
    interval = app.config["REFERRAL"]["WORKER_INTERVAL"]
    thread = threading.Thread(
        target=run_forever, args=(app, interval, stop), name="notification-worker", daemon=True
    )
    thread.start()
    return stop
