"""The loop closed by text: a food bank gets the referral by email, a Spanish-speaking patient
gets the slip and later the follow-up question by text, answers 1 through the signed webhook,
and the referral is resolved as the follow-up rules say. Also: forged and replayed webhooks,
STOP, free words for the case manager, the daily digest, the outbox API and its page."""

import re
from datetime import date

from sqlalchemy import func, select

from referral.extensions import db
from referral.network.models import ReferralMessage
from referral.notifications.models import InboundMessage
from referral.patients.models import Patient
from referral.referrals.models import FollowUp, Referral
from tests.conftest import add_user, csrf_token, sign_in
from tests.integration.network import member
from tests.integration.notify import (
    outbox,
    refer,
    referral_row,
    register,
    signed_text,
    work,
)

ROSA_PHONE = "+12165550142"


def due_date(app, referral_id: int) -> date:
    return referral_row(app, referral_id).follow_up_due


def ask(town, referral_id: int, twilio) -> str:
    """Run the daily follow-up job on the referral's due date and send the question."""
    day = due_date(town.app, referral_id).isoformat()
    result = town.app.test_cli_runner().invoke(args=["notify", "follow-ups", "--date", day])
    assert result.exit_code == 0 and "Queued 1 follow-up text" in result.output, result.output
    work(town.app, **twilio.settings())
    return twilio.requests[-1].form["Body"]


def test_the_whole_story_email_text_question_answer_resolved(town, smtp, twilio):
    patient = register(town)
    made = refer(town, patient)
    counts = work(town.app, **smtp.settings(), **twilio.settings())
    assert counts.sent == 2
    (email,) = smtp.messages
    assert email["To"] == "intake@food.example"
    assert "/r/" in email.get_body(("plain",)).get_content()
    slip = twilio.requests[0].form["Body"]
    assert "su referido a" in slip and "Dirección:" in slip and "Horario:" in slip

    question = ask(town, made["id"], twilio)
    assert f"¿Recibió ayuda de {town.service_name}?" in question
    assert "Responda 1 para sí, 2 para no" in question and "STOP" in question

    answer = signed_text(town.web, "(216) 555-0142", "1", "SM-answer-1")
    assert answer.status_code == 200 and answer.mimetype == "text/xml"
    referral = referral_row(town.app, made["id"])
    (follow_up,) = referral.follow_ups
    assert (follow_up.method, follow_up.result, follow_up.reached) == ("text", "reached", True)
    assert follow_up.patient_says == "got-help"
    assert (referral.outcome, referral.outcome_source) == ("got-help", "patient")
    assert referral.closed_at is not None and referral.follow_up_due is None
    shown = town.web.get(f"/api/v1/referrals/{made['id']}", headers=town.ann).get_json()
    assert shown["outcome"] == "got-help" and shown["follow_ups"][0]["method"] == "text"

    again = town.app.test_cli_runner().invoke(args=["notify", "follow-ups"])
    assert "Queued 0 follow-up text" in again.output, "a resolved referral is not asked again"


def test_two_means_the_patient_did_not_get_help(town, twilio):
    made = refer(town, register(town))
    ask(town, made["id"], twilio)
    assert signed_text(town.web, ROSA_PHONE, "no", "SM-no").status_code == 200
    referral = referral_row(town.app, made["id"])
    assert referral.outcome == "couldnt-get-help" and referral.follow_ups[0].patient_says == (
        "couldnt-get-help"
    )


def test_a_forged_or_unsigned_webhook_is_refused_and_changes_nothing(town, twilio):
    made = refer(town, register(town))
    ask(town, made["id"], twilio)
    forged = signed_text(town.web, ROSA_PHONE, "1", "SM-forged", token="not-our-token")
    unsigned = town.web.post(
        "/sms/inbound", data={"MessageSid": "SM-x", "From": ROSA_PHONE, "Body": "1"}
    )
    assert forged.status_code == 403 and unsigned.status_code == 403
    assert referral_row(town.app, made["id"]).follow_ups == []
    with town.app.app_context():
        assert db.session.scalar(select(func.count(InboundMessage.id))) == 0


def test_a_replayed_message_is_recorded_once(town, twilio):
    made = refer(town, register(town))
    ask(town, made["id"], twilio)
    for _ in range(3):
        assert signed_text(town.web, ROSA_PHONE, "1", "SM-same").status_code == 200
    assert len(referral_row(town.app, made["id"]).follow_ups) == 1
    with town.app.app_context():
        assert db.session.scalar(select(func.count(InboundMessage.id))) == 1


def test_stop_withdraws_consent_and_no_more_texts_go(town, twilio):
    patient = register(town)
    first = refer(town, patient)
    work(town.app, **twilio.settings())
    assert signed_text(town.web, ROSA_PHONE, "STOP", "SM-stop").status_code == 200
    with town.app.app_context():
        rosa = db.session.get(Patient, patient)
        assert not rosa.consents_to("contact")
        assert rosa.consents[-1].note == "replied STOP by text message"
    second = refer(town, patient, service=other_service(town))
    (row,) = outbox(town.app, kind="slip-sms", referral_id=second["id"])
    assert row.status == "refused" and "not agreed" in row.last_error
    assert referral_row(town.app, first["id"]).follow_ups == []


def other_service(town) -> str:
    with town.app.app_context():
        from referral.directory.models import Service

        query = select(Service.id).where(Service.id != town.service).order_by(Service.id)
        return db.session.scalars(query).first()


def test_other_words_go_on_the_referral_for_the_case_manager(town, smtp, twilio):
    made = refer(town, register(town))
    ask(town, made["id"], twilio)
    words = "They were closed when I went, can someone call me?"
    assert signed_text(town.web, ROSA_PHONE, words, "SM-words").status_code == 200
    with town.app.app_context():
        (message,) = db.session.scalars(select(ReferralMessage)).all()
        assert (message.referral_id, message.party, message.body) == (made["id"], "patient", words)
        assert db.session.get(Referral, made["id"]).outcome is None
    thread = town.web.get(f"/api/v1/referrals/{made['id']}/messages", headers=town.ann).get_json()
    assert thread["results"][0]["party"] == "patient" and thread["results"][0]["body"] == words
    (note,) = outbox(town.app, kind="message")
    assert note.recipient == "ann@clinic.example" and words not in note.body


def test_the_daily_digest_goes_once_per_case_manager_per_day(town, smtp):
    made = refer(town, register(town, contact_ok=False))
    day = due_date(town.app, made["id"]).isoformat()
    runner = town.app.test_cli_runner()
    first = runner.invoke(args=["notify", "digest", "--date", day])
    second = runner.invoke(args=["notify", "digest", "--date", day])
    assert "Queued 1 digest" in first.output and "Queued 0 digest" in second.output
    work(town.app, **smtp.settings())
    (digest,) = [m for m in smtp.messages if m["To"] == "ann@clinic.example"]
    text = digest.get_content()
    assert "1 follow-up due" in digest["Subject"]
    assert f"http://referral.test/referrals/{made['id']}" in text and "Rosa" not in text
    early = runner.invoke(args=["notify", "digest", "--date", "2000-01-01"])
    assert "Queued 0 digest" in early.output, "nothing is due before the follow-up date"


def test_the_outbox_api_is_for_admins_each_seeing_their_organizations(town):
    amy = member(town.app, "amy", "admin", "clinic-a")
    fbadmin = member(town.app, "fran", "admin", "food-bank")
    refer(town, register(town))
    assert town.web.get("/api/v1/outbox", headers=town.ann).status_code == 403
    assert town.web.get("/api/v1/outbox").status_code == 401
    everything = town.web.get("/api/v1/outbox", headers=town.root).get_json()["results"]
    assert {r["kind"] for r in everything} == {"referral-arrived", "slip-sms"}
    for row in everything:
        assert {"id", "channel", "to", "status", "attempts", "error"} <= set(row)
    clinic = town.web.get("/api/v1/outbox", headers=amy).get_json()["results"]
    bank = town.web.get("/api/v1/outbox", headers=fbadmin).get_json()["results"]
    assert [r["kind"] for r in clinic] == ["slip-sms"] and [r["kind"] for r in bank] == [
        "referral-arrived"
    ]
    queued = town.web.get("/api/v1/outbox?status=sent", headers=town.root).get_json()
    assert queued == {"results": []}
    bad = town.web.get("/api/v1/outbox?status=lost", headers=town.root)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "status"


def test_the_outbox_page_lists_what_failed_with_a_retry_button(town):
    refer(town, register(town, contact_ok=False))
    down = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9, "SMS_PROVIDER": "console"}
    with town.app.app_context():
        from referral.notifications.models import OutboxMessage

        row = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "referral-arrived")
        ).one()
        row.attempts = 4
        db.session.commit()
    work(town.app, **down)
    add_user(town.app, "boss", "admin")
    browser = town.app.test_client()
    sign_in(browser, "boss")
    accounts = browser.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/outbox"' in accounts
    page = browser.get("/admin/outbox")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Outbox</h1>" in html
    rows = re.findall(r'<tr class="status-(\w+)">(.*?)</tr>', html, re.S)
    statuses = sorted(status for status, _ in rows)
    assert statuses == ["failed", "refused"]
    failed = next(body for status, body in rows if status == "failed")
    assert "intake@food.example" in failed and "could not be reached" in failed
    action = re.search(r'action="(/admin/outbox/\d+/retry)"', failed).group(1)
    assert 'name="csrf_token"' in failed and ">Retry</button>" in failed
    refused_without_token = browser.post(action)
    assert refused_without_token.status_code == 400
    retried = browser.post(action, data={"csrf_token": csrf_token(browser, "/admin/outbox")})
    assert retried.status_code == 302
    (row,) = outbox(town.app, kind="referral-arrived")
    assert row.status == "queued" and row.attempts == 0


def test_patients_choose_their_channel_and_time_zone_and_bad_ones_are_refused(town):
    body = town.web.get(f"/api/v1/patients/{register(town)}", headers=town.ann).get_json()
    assert (body["contact_channel"], body["time_zone"]) == ("sms", "America/New_York")
    plain = register(town, contact_channel=None, time_zone=None, given_name="Lu")
    body = town.web.get(f"/api/v1/patients/{plain}", headers=town.ann).get_json()
    assert (body["contact_channel"], body["time_zone"]) == ("phone", "America/New_York")
    bad = {"contact_channel": "pigeon", "time_zone": "Mars/Olympus"}
    refused = town.web.post("/api/v1/patients", json={**body, **bad}, headers=town.ann)
    problems = refused.get_json()["error"]["problems"]
    assert refused.status_code == 400 and set(problems) >= {"contact_channel", "time_zone"}
    with town.app.app_context():
        assert db.session.scalar(select(func.count(FollowUp.id))) == 0
