"""Notifications that leave the building: queued in the transaction of the referral change,
delivered by the worker to a real SMTP server and to a server speaking Twilio's API, retried
or failed with the reason, and refused (never sent) without an address, consent or texts."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from referral.extensions import db
from referral.network.models import NetworkOrganization
from referral.notifications import rules
from referral.notifications.models import OutboxMessage
from referral.search.hours import local_now
from tests.integration.notify import outbox, refer, referral_row, register, work
from tests.integration.outside import INVALID_NUMBER, free_port


def test_a_new_referral_queues_an_email_to_the_organization_and_a_text_to_the_patient(town):
    made = refer(town, register(town))
    (email,) = outbox(town.app, kind="referral-arrived")
    (text,) = outbox(town.app, kind="slip-sms")
    assert (email.status, email.recipient, email.referral_id) == (
        "queued",
        "intake@food.example",
        made["id"],
    )
    assert (text.status, text.recipient, text.language) == ("queued", "+12165550142", "es")
    assert email.attempts == 0 and email.sent_at is None


def test_the_organization_email_arrives_with_its_link_and_no_patient_details(town, smtp):
    made = refer(town, register(town))
    counts = work(town.app, **smtp.settings())
    assert counts.sent == 2 and counts.failed == 0
    (message,) = smtp.messages
    text = message.get_body(("plain",)).get_content()
    assert message["To"] == "intake@food.example" and message["From"] == "care@clinic.example"
    assert town.service_name in message["Subject"] and "Food" in message["Subject"]
    assert message["Message-ID"] == rules.message_id(
        f"referral-arrived:{made['id']}", "care@clinic.example"
    )
    assert "http://referral.test/r/" in text, (
        "an organization without accounts gets the signed link"
    )
    for private in ("Rosa", "Diaz", "216", "1975"):
        assert private not in text and private not in message["Subject"]
    assert message.get_body(("html",)) is not None
    (sent,) = outbox(town.app, kind="referral-arrived")
    assert sent.status == "sent" and sent.provider_id == message["Message-ID"] and sent.sent_at


def test_an_organization_with_staff_accounts_gets_its_inbox_link(town, smtp):
    from tests.integration.network import member

    member(town.app, "fay", "receiver", "food-bank")
    made = refer(town, register(town))
    work(town.app, **smtp.settings())
    text = smtp.messages[0].get_body(("plain",)).get_content()
    assert f"http://referral.test/inbox/{made['id']}" in text and "/r/" not in text


def test_an_organization_without_email_gets_a_refused_row_and_the_referral_is_made(town):
    with town.app.app_context():
        org = db.session.scalar(
            select(NetworkOrganization).where(NetworkOrganization.key == "food-bank")
        )
        org.email = ""
        db.session.commit()
    made = refer(town, register(town))
    (row,) = outbox(town.app, kind="referral-arrived")
    assert (row.status, row.last_error) == ("refused", "organization has no email address")
    assert referral_row(town.app, made["id"]).status == "requested"


def test_the_patient_gets_the_slip_by_text_in_spanish_with_the_idempotency_header(
    town, smtp, twilio
):
    made = refer(town, register(town))
    work(town.app, **smtp.settings(), **twilio.settings())
    (request,) = twilio.requests
    body = request.form["Body"]
    assert request.form["To"] == "+12165550142" and request.form["From"] == "+12165550000"
    assert request.headers["I-Twilio-Idempotency-Token"] == f"slip-sms:{made['id']}"
    assert "su referido a" in body and town.service_name in body
    assert "Dirección:" in body and "Teléfono:" in body and "Horario:" in body and "STOP" in body
    (row,) = outbox(town.app, kind="slip-sms")
    assert row.status == "sent" and row.provider_id.startswith("SM")


def test_an_english_speaker_gets_the_text_in_english(town, twilio):
    refer(town, register(town, preferred_language="en"))
    work(town.app, **twilio.settings())
    body = twilio.requests[0].form["Body"]
    assert "your referral to" in body and "Address:" in body and "Hours:" in body


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"contact_ok": False}, "the patient has not agreed to be contacted"),
        ({"contact_channel": "phone"}, "the patient did not choose text messages"),
        ({"contact_channel": "none"}, "the patient did not choose text messages"),
        ({"phone": ""}, "the patient has no phone number"),
    ],
)
def test_no_text_without_consent_a_texting_channel_and_a_phone(town, twilio, changes, reason):
    refer(town, register(town, **changes))
    (row,) = outbox(town.app, kind="slip-sms")
    assert (row.status, row.last_error) == ("refused", reason)
    work(town.app, **twilio.settings())
    assert twilio.requests == []


def test_safety_referrals_are_never_texted(town, twilio):
    refer(town, register(town), need="safety")
    (row,) = outbox(town.app, kind="slip-sms")
    assert row.status == "refused" and "safety" in row.last_error


def test_a_text_queued_in_quiet_hours_waits_for_the_morning(town):
    hour = local_now("America/New_York").hour
    town.app.config["REFERRAL"]["QUIET_HOURS"] = f"{hour:02d}:00-{(hour + 1) % 24:02d}:00"
    refer(town, register(town))
    (row,) = outbox(town.app, kind="slip-sms")
    (email,) = outbox(town.app, kind="referral-arrived")
    waits = row.next_attempt_at.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(0) < waits <= timedelta(hours=1)
    assert email.next_attempt_at.replace(tzinfo=UTC) <= datetime.now(UTC), "email is not held"
    assert work(town.app).sent == 1, "only the email goes now"


def test_a_refused_recipient_fails_at_once_with_the_reason_and_the_referral_stands(town, smtp):
    with town.app.app_context():
        org = db.session.scalar(
            select(NetworkOrganization).where(NetworkOrganization.key == "food-bank")
        )
        org.email = "nobody@food.example"
        db.session.commit()
    made = refer(town, register(town, contact_ok=False))
    counts = work(town.app, **smtp.settings())
    (row,) = outbox(town.app, kind="referral-arrived")
    assert counts.failed == 1 and row.status == "failed" and row.attempts == 1
    assert "550" in row.last_error and "No such user" in row.last_error
    assert referral_row(town.app, made["id"]).status == "requested" and smtp.messages == []


def test_a_mail_server_that_is_down_is_tried_again_after_the_back_off_then_failed(town):
    refer(town, register(town, contact_ok=False))
    down = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port()}
    waits = []
    for attempt in range(1, 6):
        before = datetime.now(UTC)
        counts = work(town.app, **down)
        (row,) = outbox(town.app, kind="referral-arrived")
        assert row.attempts == attempt and "could not be reached" in row.last_error
        if attempt < 5:
            assert counts.retrying == 1 and row.status == "queued"
            waits.append(row.next_attempt_at.replace(tzinfo=UTC) - before)
            assert work(town.app, **down).handled == 0, "nothing is due before the back-off"
            make_due(town.app, row.id)
    assert row.status == "failed" and counts.failed == 1
    assert [round(w.total_seconds() / 60) for w in waits] == [1, 5, 30, 120]


def make_due(app, row_id: int) -> None:
    """Move a queued row's next attempt into the past."""
    with app.app_context():
        db.session.get(OutboxMessage, row_id).next_attempt_at = datetime.now(UTC) - timedelta(
            seconds=1
        )
        db.session.commit()


def test_a_message_stuck_in_sending_after_a_crash_is_sent_again_with_the_same_key(town, smtp):
    made = refer(town, register(town, contact_ok=False))
    (row,) = outbox(town.app, kind="referral-arrived")
    with town.app.app_context():
        stuck = db.session.get(OutboxMessage, row.id)
        stuck.status, stuck.attempts = "sending", 1
        stuck.claimed_at = datetime.now(UTC) - timedelta(minutes=2)
        db.session.commit()
    assert work(town.app, **smtp.settings()).handled == 0, "not before the timeout"
    with town.app.app_context():
        db.session.get(OutboxMessage, row.id).claimed_at = datetime.now(UTC) - timedelta(hours=1)
        db.session.commit()
    assert work(town.app, **smtp.settings()).sent == 1
    (message,) = smtp.messages
    assert message["Message-ID"] == rules.message_id(
        f"referral-arrived:{made['id']}", "care@clinic.example"
    )
    (row,) = outbox(town.app, kind="referral-arrived")
    assert row.status == "sent" and row.attempts == 2


def test_twilio_refusing_an_invalid_number_fails_at_once_with_its_reason(town, twilio):
    refer(town, register(town, phone=INVALID_NUMBER))
    counts = work(town.app, **twilio.settings())
    (row,) = outbox(town.app, kind="slip-sms")
    assert counts.failed == 1 and row.status == "failed" and row.attempts == 1
    assert "21211" in row.last_error and "Invalid" in row.last_error


def test_consent_withdrawn_before_the_worker_runs_stops_the_text(town, twilio):
    patient = register(town)
    refer(town, patient)
    withdrawn = {"kind": "contact", "granted": False}
    assert (
        town.web.post(
            f"/api/v1/patients/{patient}/consents", json=withdrawn, headers=town.ann
        ).status_code
        == 201
    )
    work(town.app, **twilio.settings())
    (row,) = outbox(town.app, kind="slip-sms")
    assert row.status == "refused" and "not agreed" in row.last_error and twilio.requests == []


def test_the_receiving_side_changing_the_status_or_writing_emails_the_case_manager(town, smtp):
    from tests.integration.network import member

    fay = member(town.app, "fay", "receiver", "food-bank")
    made = refer(town, register(town, contact_ok=False))
    moved = town.web.post(
        f"/api/v1/referrals/{made['id']}/status", json={"status": "accepted"}, headers=fay
    )
    assert moved.status_code == 200, moved.get_json()
    wrote = town.web.post(
        f"/api/v1/referrals/{made['id']}/messages", json={"body": "Come Tuesday"}, headers=fay
    )
    assert wrote.status_code == 201
    mine = town.web.post(
        f"/api/v1/referrals/{made['id']}/messages", json={"body": "Thanks"}, headers=town.ann
    )
    assert mine.status_code == 201
    work(town.app, **smtp.settings())
    to_ann = [m for m in smtp.messages if m["To"] == "ann@clinic.example"]
    assert sorted(m["Subject"].split(":")[0].split(" to ")[0] for m in to_ann) == [
        f"New message on referral {made['id']}",
        f"Referral {made['id']}",
    ]
    changed = next(m for m in to_ann if "accepted" in m["Subject"])
    assert f"http://referral.test/referrals/{made['id']}" in changed.get_content()
    assert "Come Tuesday" not in "".join(m.get_content() for m in to_ann), "words stay in the app"


def test_the_case_managers_own_changes_send_them_nothing(town):
    made = refer(town, register(town, contact_ok=False))
    cancel = {"status": "cancelled", "reason": "patient moved"}
    assert (
        town.web.post(
            f"/api/v1/referrals/{made['id']}/status", json=cancel, headers=town.ann
        ).status_code
        == 200
    )
    assert outbox(town.app, kind="referral-changed") == []


def test_a_notification_that_cannot_be_prepared_never_fails_the_referral(town, monkeypatch):
    from referral.notifications import compose

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(compose, "referral_arrived", broken)
    made = refer(town, register(town))
    assert referral_row(town.app, made["id"]).status == "requested"
    (row,) = outbox(town.app, kind="referral-arrived")
    assert row.status == "refused" and "template missing" in row.last_error
    assert outbox(town.app, kind="slip-sms")[0].status == "queued"


def test_worker_once_sends_what_is_due_and_prints_the_counts(town, smtp):
    refer(town, register(town))
    town.app.config["REFERRAL"].update(smtp.settings())
    result = town.app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Sent 2; 0 to retry later; 0 failed; 0 refused." in result.output
    again = town.app.test_cli_runner().invoke(args=["worker", "--once"])
    assert "Sent 0;" in again.output and len(smtp.messages) == 1
