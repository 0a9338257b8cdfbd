"""A patient's own link: made, listed and revoked through the API; texted through the outbox;
the page at /p/<token> in the patient's language with nothing clinical on it; its three answers
and what they do to the referral; forged, tampered, expired, revoked and other patients' links;
throttling; the slip's QR code and the care team's links box."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from referral.directory.models import utcnow
from referral.extensions import db
from referral.network.operations import create_organization
from referral.patientlink.models import PatientLink
from referral.patients.models import AccessRecord
from referral.referrals.models import Referral
from tests.conftest import csrf_token, sign_in
from tests.integration.network import SCREENING, member
from tests.integration.notify import outbox, refer, referral_row, register, work

NOTE = "Staff only: worried about eviction"


def link(t, patient_id: int, **body) -> dict:
    """A new link for the patient, made by Ann; the API's answer."""
    made = t.web.post(f"/api/v1/patients/{patient_id}/link", json=body or None, headers=t.ann)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def path_of(url: str) -> str:
    """The path of a link's address."""
    return "/p/" + url.rsplit("/p/", 1)[1]


def visitor(t):
    """A browser with no account: the patient's phone."""
    return t.app.test_client()


def answer(t, phone, page: str, referral_id: int, said: str):
    """Press one answer button on the patient's page, as the browser posts it."""
    token = csrf_token(phone, page)
    form = {"csrf_token": token, "referral_id": str(referral_id), "answer": said}
    return phone.post(page, data=form)


def stored_link(app, link_id: int) -> PatientLink:
    with app.app_context():
        row = db.session.get(PatientLink, link_id)
        db.session.expunge(row)
        return row


def test_a_link_is_made_listed_without_its_token_and_revoked(town):
    patient = register(town)
    made = link(town, patient)
    assert made["sent_via"] == "copy" and "/p/" in made["url"]
    token = made["url"].rsplit("/p/", 1)[1]
    listed = town.web.get(f"/api/v1/patients/{patient}/links", headers=town.ann)
    assert listed.status_code == 200 and token not in listed.get_data(as_text=True)
    (row,) = listed.get_json()["results"]
    assert row["id"] == made["id"] and row["active"] is True and row["revoked_at"] is None
    with town.app.app_context():
        stored = db.session.get(PatientLink, made["id"])
        assert stored.token_hash != token and len(stored.token_hash) == 64
        days = (stored.expires_at - stored.created_at).days
    assert days == 30
    assert visitor(town).get(path_of(made["url"])).status_code == 200

    gone = town.web.delete(f"/api/v1/patients/{patient}/links/{made['id']}", headers=town.ann)
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    closed = visitor(town).get(path_of(made["url"]))
    assert closed.status_code == 410 and "Rosa" not in closed.get_data(as_text=True)
    missing = town.web.delete(f"/api/v1/patients/{patient}/links/999", headers=town.ann)
    assert missing.status_code == 404 and missing.get_json()["error"]["field"] == "link_id"


def test_bad_requests_name_the_field(town):
    patient = register(town)
    url = f"/api/v1/patients/{patient}/link"
    wrong = town.web.post(url, json={"send": "fax"}, headers=town.ann)
    assert wrong.status_code == 400 and wrong.get_json()["error"]["field"] == "send"
    not_text = town.web.post(url, json={"send": 3}, headers=town.ann)
    assert not_text.status_code == 400 and not_text.get_json()["error"]["field"] == "send"
    not_json = town.web.post(url, data="nope", headers=town.ann)
    assert not_json.status_code == 400 and not_json.get_json()["error"]["field"] == "body"
    with town.app.app_context():
        assert db.session.scalar(select(PatientLink.id)) is None


def test_only_the_patients_care_team_may_make_or_see_links(town):
    patient = register(town)
    url = f"/api/v1/patients/{patient}/link"
    assert town.web.post(url).status_code == 401
    with town.app.app_context():
        create_organization("clinic-b", "Clinic B", "referring")
        db.session.commit()
    stranger = member(town.app, "otto", "case_manager", "clinic-b")
    assert town.web.post(url, headers=stranger).status_code == 404
    assert town.web.get(f"/api/v1/patients/{patient}/links", headers=stranger).status_code == 404
    receiver = member(town.app, "rita", "receiver", "food-bank")
    assert town.web.post(url, headers=receiver).status_code == 403


def test_sms_queues_the_link_and_the_worker_texts_it(town, twilio):
    patient = register(town)
    made = link(town, patient, send="sms")
    assert made["sent_via"] == "sms"
    (queued,) = outbox(town.app, kind="patient-link")
    assert queued.status == "queued" and queued.recipient == "+12165550142"
    assert queued.language == "es" and made["url"] in queued.body
    work(town.app, **twilio.settings())
    (sent,) = [r for r in twilio.requests if made["url"] in r.form["Body"]]
    assert "vea sus referidos" in sent.form["Body"] and sent.form["To"] == "+12165550142"
    assert outbox(town.app, kind="patient-link")[0].status == "sent"


def test_sms_is_refused_without_consent_or_a_texting_phone(town):
    no_consent = register(town, contact_ok=False)
    refused = town.web.post(
        f"/api/v1/patients/{no_consent}/link", json={"send": "sms"}, headers=town.ann
    )
    error = refused.get_json()["error"]
    assert refused.status_code == 422 and error["field"] == "send"
    assert "agreed to be contacted" in error["message"]
    calls_only = register(town, contact_channel="phone", mrn=None)
    refused = town.web.post(
        f"/api/v1/patients/{calls_only}/link", json={"send": "sms"}, headers=town.ann
    )
    assert refused.status_code == 422 and "text messages" in refused.get_json()["error"]["message"]
    assert outbox(town.app, kind="patient-link") == []
    with town.app.app_context():
        assert db.session.scalar(select(PatientLink.id)) is None, "nothing kept of a refusal"


def test_the_page_is_in_spanish_and_shows_nothing_clinical(town):
    patient = register(town)
    screened = town.web.post(
        "/api/v1/screenings", json={**SCREENING, "patient_id": patient}, headers=town.ann
    )
    assert screened.status_code == 201, screened.get_json()
    body = {"patient_id": patient, "service_id": town.service, "need": "food", "note": NOTE}
    made = town.web.post("/api/v1/referrals", json={**body, "consent": True}, headers=town.ann)
    assert made.status_code == 201
    page = visitor(town).get(path_of(link(town, patient)["url"]))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="es">' in html
    assert "Hola, Rosa" in html and town.service_name in html and "Clinic A" in html
    assert "Diaz" not in html and "1975" not in html and "A-100" not in html
    assert 'href="tel:' in html and "google.com/maps/dir/" in html
    assert "Recibí ayuda" in html and "Todavía necesito ayuda" in html
    assert "No pude comunicarme con ellos" in html
    assert re.search(r"(lunes|martes|miércoles|jueves|viernes|sábado|domingo)", html)
    for clinical in ("Z59", "LA28397-0", "88122-7", NOTE, "food insecurity", "Hunger"):
        assert clinical not in html, clinical
    assert page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"] and 'name="robots"' in html


def test_english_when_asked_or_preferred(town):
    patient = register(town, preferred_language="en")
    refer(town, patient)
    path = path_of(link(town, patient)["url"])
    html = visitor(town).get(path).get_data(as_text=True)
    assert '<html lang="en">' in html and "Hello, Rosa" in html and "I still need help" in html
    spanish = visitor(town).get(path + "?lang=es").get_data(as_text=True)
    assert '<html lang="es">' in spanish and "Hola, Rosa" in spanish


def test_opening_is_recorded(town):
    patient = register(town)
    made = link(town, patient)
    assert stored_link(town.app, made["id"]).last_opened_at is None
    visitor(town).get(path_of(made["url"]))
    assert stored_link(town.app, made["id"]).last_opened_at is not None
    with town.app.app_context():
        subjects = db.session.scalars(
            select(AccessRecord.subject).where(AccessRecord.patient_id == patient)
        )
        assert f"patient-link:{made['id']}" in list(subjects)


def test_a_safety_referral_is_never_on_the_page(town):
    patient = register(town)
    refer(town, patient, need="safety")
    html = visitor(town).get(path_of(link(town, patient)["url"])).get_data(as_text=True)
    assert town.service_name not in html and "No tiene referidos abiertos" in html


def test_i_got_help_closes_the_loop_like_a_text_1(town):
    patient = register(town)
    made = refer(town, patient)
    phone, page = visitor(town), path_of(link(town, patient)["url"])
    done = answer(town, phone, page, made["id"], "got-help")
    assert done.status_code == 303 and "said=got-help" in done.location
    thanks = phone.get(done.location).get_data(as_text=True)
    assert "Gracias por avisarnos" in thanks and "Nos alegra" in thanks
    referral = referral_row(town.app, made["id"])
    (follow_up,) = referral.follow_ups
    assert (follow_up.method, follow_up.result, follow_up.patient_says) == (
        "web",
        "reached",
        "got-help",
    )
    assert follow_up.actor == "patient (own page)" and follow_up.user_id is None
    assert (referral.outcome, referral.outcome_source) == ("got-help", "patient")
    assert referral.closed_at is not None and referral.follow_up_due is None
    assert town.service_name not in thanks.split("Gracias")[1], "a closed referral leaves"


def test_i_still_need_help_keeps_it_open_and_due_today(town):
    patient = register(town)
    made = refer(town, patient)
    phone, page = visitor(town), path_of(link(town, patient)["url"])
    done = answer(town, phone, page, made["id"], "still-need-help")
    assert done.status_code == 303
    thanks = phone.get(done.location).get_data(as_text=True)
    assert "Su administrador de casos verá esto hoy" in thanks
    referral = referral_row(town.app, made["id"])
    assert referral.outcome is None and referral.closed_at is None
    assert referral.follow_up_due == date.today()
    assert referral.follow_ups[-1].patient_says == "still-need-help"
    with town.app.app_context():
        history = db.session.get(Referral, made["id"]).history
        assert history[-1].party == "patient" and "still need help" in history[-1].reason
    worklist = town.web.get("/api/v1/worklist", headers=town.ann).get_json()["results"]
    assert any(w["kind"] == "follow-up" and w["due"] == date.today().isoformat() for w in worklist)


def test_i_could_not_reach_them_keeps_it_open_and_due_today(town):
    patient = register(town)
    made = refer(town, patient)
    phone, page = visitor(town), path_of(link(town, patient)["url"])
    assert answer(town, phone, page, made["id"], "couldnt-reach").status_code == 303
    referral = referral_row(town.app, made["id"])
    assert referral.outcome is None and referral.follow_up_due == date.today()
    assert referral.follow_ups[-1].patient_says == "couldnt-reach"
    assert referral.follow_ups[-1].method == "web"


def test_an_answer_without_the_form_token_is_refused_and_not_recorded(town):
    patient = register(town)
    made = refer(town, patient)
    phone, page = visitor(town), path_of(link(town, patient)["url"])
    phone.get(page)
    forged = phone.post(page, data={"referral_id": made["id"], "answer": "got-help"})
    assert forged.status_code == 400 and "No pudimos guardar" in forged.get_data(as_text=True)
    assert referral_row(town.app, made["id"]).follow_ups == []


def test_an_unknown_answer_is_refused(town):
    patient = register(town)
    made = refer(town, patient)
    phone, page = visitor(town), path_of(link(town, patient)["url"])
    assert answer(town, phone, page, made["id"], "maybe").status_code == 400
    assert referral_row(town.app, made["id"]).follow_ups == []


def test_a_link_never_answers_for_another_patient(town):
    rosa, other = register(town), register(town, given_name="Marta", mrn=None)
    theirs = refer(town, other)
    refer(town, rosa)
    phone, page = visitor(town), path_of(link(town, rosa)["url"])
    html = phone.get(page).get_data(as_text=True)
    assert "Marta" not in html
    refused = answer(town, phone, page, theirs["id"], "got-help")
    assert refused.status_code == 404 and "Marta" not in refused.get_data(as_text=True)
    assert referral_row(town.app, theirs["id"]).follow_ups == []
    assert answer(town, phone, page, 10**6, "got-help").status_code == 404


def test_forged_tampered_and_expired_links_show_the_friendly_page(town):
    patient = register(town)
    made = link(town, patient)
    path, phone = path_of(made["url"]), visitor(town)
    for bad in ("/p/not-a-token", path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")):
        shown = phone.get(bad)
        html = shown.get_data(as_text=True)
        assert shown.status_code == 404 and "This link does not work" in html
        assert "Este enlace no funciona" in html and "Rosa" not in html
    assert phone.get("/p/" + "x" * 5000).status_code == 404
    with town.app.app_context():
        db.session.get(PatientLink, made["id"]).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    expired = phone.get(path)
    html = expired.get_data(as_text=True)
    assert expired.status_code == 410 and "expired" in html and "venció" in html
    assert "Rosa" not in html and expired.headers["Cache-Control"] == "no-store"


def test_a_token_signed_with_another_key_is_forged(town):
    patient = register(town)
    path = path_of(link(town, patient)["url"])
    town.app.secret_key = "another-secret"
    assert visitor(town).get(path).status_code == 404


def test_patient_pages_are_throttled(town):
    patient = register(town)
    path = path_of(link(town, patient)["url"])
    town.app.config["REFERRAL"]["PATIENT_LINK_LIMIT"] = "3 per minute"
    phone = visitor(town)
    answers = [phone.get(path).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    html = phone.get("/p/anything").get_data(as_text=True)
    assert "Espere un minuto" in html and "Please wait a minute" in html


def test_the_slip_carries_a_fresh_printed_link_as_a_qr_code(town):
    patient = register(town)
    made = refer(town, patient)
    slip = town.web.get(f"/referrals/{made['id']}/slip", headers=town.ann)
    html = slip.get_data(as_text=True)
    assert slip.status_code == 200
    assert "Escanee para ver sus referidos y contarnos cómo le fue" in html
    (printed,) = town.web.get(f"/api/v1/patients/{patient}/links", headers=town.ann).get_json()[
        "results"
    ]
    assert printed["sent_via"] == "print" and printed["active"]
    assert html.count("<svg") >= 2
    pdf = town.web.get(f"/referrals/{made['id']}/slip.pdf", headers=town.ann)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    english = town.web.get(f"/referrals/{made['id']}/slip?language=en", headers=town.ann)
    assert "Scan to see your referrals and tell us how it went" in english.get_data(as_text=True)


def test_the_care_team_box_copies_texts_and_revokes(town):
    patient = register(town)
    browser = town.app.test_client()
    assert sign_in(browser, "ann").status_code == 302
    show = f"/patients/{patient}"
    html = browser.get(show).get_data(as_text=True)
    assert 'id="patient-link"' in html and "No active links." in html
    token = csrf_token(browser, show)
    copied = browser.post(f"{show}/link", data={"csrf_token": token, "send": "copy"})
    page = copied.get_data(as_text=True)
    assert copied.status_code == 200 and "/p/" in page
    url = re.search(r'value="(http[^"]+/p/[^"]+)"', page).group(1)
    assert copied.headers["Cache-Control"] == "no-store"
    texted = browser.post(f"{show}/link", data={"csrf_token": token, "send": "sms"})
    assert texted.status_code == 302
    assert len(outbox(town.app, kind="patient-link")) == 1
    html = browser.get(show).get_data(as_text=True)
    assert "Copied" in html and "Texted" in html and url.rsplit("/p/", 1)[1] not in html
    link_id = stored_ids(town.app, patient)[0]
    revoked = browser.post(f"{show}/links/{link_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302
    assert stored_link(town.app, link_id).revoked_at is not None
    no_form = browser.post(f"{show}/link", data={"send": "copy"})
    assert no_form.status_code == 400


def stored_ids(app, patient_id: int) -> list[int]:
    """The patient's link ids, oldest first."""
    with app.app_context():
        query = select(PatientLink.id).where(PatientLink.patient_id == patient_id)
        return list(db.session.scalars(query.order_by(PatientLink.id)))
