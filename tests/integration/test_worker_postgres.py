"""Two worker processes on one PostgreSQL database deliver 200 queued emails exactly once:
rows are claimed with SKIP LOCKED and a compare-and-set update, never sent twice."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from referral.extensions import db
from referral.notifications.models import OutboxMessage
from referral.notifications.operations import About, queue_email
from tests.conftest import PG_URL, ROOT, dispose, make_app
from tests.integration.outside import SmtpServer

COUNT = 200
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="REFERRAL_TEST_DATABASE_URL is not set"),
]


@pytest.fixture
def pg_app(tmp_path):
    app = make_app("postgresql", tmp_path)
    yield app
    dispose(app)


def worker_env(app, smtp, folder) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFERRAL_")}
    env.update(
        REFERRAL_DATABASE_URL=app.config["REFERRAL"]["DATABASE_URL"],
        REFERRAL_SECRET_KEY="test-secret",
        REFERRAL_INSTANCE_PATH=str(folder / "worker-instance"),
        REFERRAL_INDEX_DIR=str(folder / "index"),
        REFERRAL_MAIL_SERVER="127.0.0.1",
        REFERRAL_MAIL_PORT=str(smtp.port),
        REFERRAL_MAIL_FROM="care@clinic.example",
    )
    return env


def test_two_workers_deliver_two_hundred_emails_exactly_once(pg_app, tmp_path):
    with pg_app.app_context():
        for n in range(COUNT):
            queue_email("digest", f"bulk:{n}", f"person{n}@example.org", f"n{n}", "hello", About())
        db.session.commit()
    with SmtpServer() as smtp:
        env = worker_env(pg_app, smtp, tmp_path)
        command = [sys.executable, "-m", "referral.cli", "worker", "--once"]
        workers = [
            subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [w.communicate(timeout=300) for w in workers]
        assert all(w.returncode == 0 for w in workers), outputs
        received = smtp.messages
    ids = [m["Message-ID"] for m in received]
    assert len(ids) == COUNT and len(set(ids)) == COUNT, "each email delivered exactly once"
    assert sorted(m["To"] for m in received) == sorted(
        f"person{n}@example.org" for n in range(COUNT)
    )
    sent = [int(out.split("Sent ")[1].split(";")[0].replace(",", "")) for out, _ in outputs]
    assert sum(sent) == COUNT
    with pg_app.app_context():
        counted = db.session.execute(
            select(OutboxMessage.status, func.count(), func.max(OutboxMessage.attempts)).group_by(
                OutboxMessage.status
            )
        ).all()
    assert counted == [("sent", COUNT, 1)]
