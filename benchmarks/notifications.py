"""How fast the worker empties the outbox: 1,000 emails queued, then `run_once` delivers them
to an SMTP server (aiosmtpd) on this machine.

    python benchmarks/notifications.py [--database-url URL] [--count 1000]

Without --database-url it uses a SQLite file in a temporary folder (PostgreSQL: pass e.g.
postgresql://postgres@127.0.0.1:5432/test; its tables are dropped and made anew). It prints
the time to queue, the total time to deliver, and the median and 95th percentile of each
message's delivery (claimed, sent over SMTP, recorded and committed); it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import machine, summary


def queue(app, count: int) -> float:
    """Queue `count` emails in one transaction; seconds taken."""
    from referral.extensions import db
    from referral.notifications.operations import About, queue_email

    started = time.perf_counter()
    with app.app_context():
        for n in range(count):
            body = f"Follow-ups due today:\n\n- Referral {n}: http://referral.test/referrals/{n}\n"
            queue_email(
                "digest", f"bench:{n}", f"cm{n}@clinic.example", "1 follow-up due", body, About()
            )
        db.session.commit()
    return time.perf_counter() - started


def deliver(app) -> tuple[float, list[float], object]:
    """Run the worker once over everything due; seconds, per-message milliseconds, counts."""
    from referral.notifications import worker

    durations: list[float] = []
    original = worker.deliver

    def timed(*args) -> None:
        started = time.perf_counter()
        original(*args)
        durations.append((time.perf_counter() - started) * 1000)

    worker.deliver = timed
    started = time.perf_counter()
    with app.app_context():
        counts = worker.run_once()
    worker.deliver = original
    return time.perf_counter() - started, durations, counts


def main() -> None:
    """Queue the emails, deliver them to a local SMTP server and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="notifications-"))
    from referral import create_app
    from referral.extensions import db
    from tests.integration.outside import SmtpServer

    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    with SmtpServer() as smtp:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATABASE_URL": url,
                "INDEX_DIR": str(folder / "index"),
                "ENV": "testing",
                "WARM_INDEX": False,
                **smtp.settings(),
            }
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
        print(f"{machine()}; {url.split(':', 1)[0]}", flush=True)
        queued = queue(app, args.count)
        print(f"queued {args.count:,} emails in {queued:.2f} s", flush=True)
        total, durations, counts = deliver(app)
        print(
            f"delivered {counts.sent:,} ({counts.failed} failed) in {total:.2f} s "
            f"({counts.sent / total:.0f} per second); the server received {len(smtp.messages):,}"
        )
        print(summary("per message (claim, SMTP, record)", durations))
        with app.app_context():
            db.drop_all()


if __name__ == "__main__":
    main()
