"""The care team's referral pages and the slips patients take home."""

import re
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from referral.auth.models import User
from referral.directory.models import Service
from referral.extensions import db
from referral.patients.models import AccessRecord
from referral.referrals.models import Referral
from tests.conftest import add_user, csrf_token, sign_in
from tests.integration.test_patients_api import token_for
from tests.integration.test_referrals_api import refer


@pytest.fixture
def signed_in(app, client, setup):
    """Maria, the case manager of setup's patient, signed in to a browser session."""
    manager, patient, service = setup
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "maria"))
        user.set_password("correct horse battery")
        user.display_name, user.phone, user.email = "Maria Ortiz", "+12165550199", "m@clinic.org"
        db.session.commit()
    sign_in(client, "maria")
    return manager, patient, service


def services(app, count):
    with app.app_context():
        return list(db.session.scalars(select(Service.id).order_by(Service.id).limit(count)))


def pdf_text(pdf: bytes) -> bytes:
    """Every content stream of a PDF, inflated."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    out = []
    for raw in streams:
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return b"\n".join(out)


def test_search_for_a_patient_refers_to_every_ticked_service(app, client, signed_in):
    _, patient, _ = signed_in
    page = client.get(f"/?patient={patient}&q=food").get_data(as_text=True)
    assert "Finding services for <strong>Ana Lopez</strong>" in page
    ticked = re.findall(r'name="service_id" value="([^"]+)" form="refer"', page)[:2]
    assert len(ticked) == 2
    places = dict(re.findall(r'name="location:([^"]+)" value="([^"]*)" form="refer"', page))
    response = client.post(
        "/referrals/new",
        data={
            "csrf_token": csrf_token(client, f"/?patient={patient}&q=food"),
            "patient_id": patient,
            "need": "food",
            "service_id": ticked,
            "consent": "1",
            **{f"location:{sid}": places[sid] for sid in ticked},
        },
    )
    assert response.status_code == 302 and f"/patients/{patient}" in response.location
    shown = client.get(response.location).get_data(as_text=True)
    assert "Referred Ana Lopez to 2 service(s)." in shown and "Print today" in shown
    with app.app_context():
        made = list(db.session.scalars(select(Referral).where(Referral.patient_id == patient)))
    assert sorted(r.service_id for r in made) == sorted(ticked)
    assert all(r.location_id for r in made), "the result's location travels with the referral"


def test_refusing_without_consent_refers_to_nothing(app, client, signed_in):
    _, patient, _ = signed_in
    ids = services(app, 2)
    response = client.post(
        "/referrals/new",
        data={
            "csrf_token": csrf_token(client, f"/?patient={patient}&q=food"),
            "patient_id": patient,
            "need": "food",
            "service_id": ids,
        },
        follow_redirects=True,
    )
    assert "Not referred" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Referral.id)) is None


def test_the_referral_page_shows_history_link_and_records_a_follow_up(app, client, signed_in):
    manager, patient, service = signed_in
    referral = refer(client, manager, patient, service).get_json()
    page = client.get(f"/referrals/{referral['id']}").get_data(as_text=True)
    assert "Referred by maria" in page and "/r/" in page and "Record a follow-up" in page
    response = client.post(
        f"/referrals/{referral['id']}/follow-ups",
        data={
            "csrf_token": csrf_token(client, f"/referrals/{referral['id']}"),
            "method": "phone",
            "result": "reached",
            "patient_says": "waiting",
            "note": "Going Thursday",
        },
        follow_redirects=True,
    )
    shown = response.get_data(as_text=True)
    assert "Follow-up recorded; next follow-up" in shown
    assert "the patient says <strong>waiting</strong>" in shown and "Going Thursday" in shown


def test_the_worklist_page_lists_overdue_follow_ups(app, client, signed_in):
    manager, patient, service = signed_in
    referral = refer(client, manager, patient, service).get_json()
    with app.app_context():
        db.session.execute(
            update(Referral)
            .where(Referral.id == referral["id"])
            .values(follow_up_due=datetime.now(UTC).date() - timedelta(days=3))
        )
        db.session.commit()
    page = client.get("/referrals").get_data(as_text=True)
    assert "Ana Lopez" in page and "(overdue)" in page
    assert "Nothing here" in client.get("/referrals?list=quiet").get_data(as_text=True)


def test_the_slip_shows_where_to_go_and_whom_to_call_in_the_patients_language(
    app, client, signed_in
):
    manager, patient, service = signed_in
    referral = refer(client, manager, patient, service, note="Diagnosed Z59.41").get_json()
    page = client.get(f"/referrals/{referral['id']}/slip").get_data(as_text=True)
    with app.app_context():
        name = db.session.get(Service, service).name
    assert "Sus referidos" in page, "Ana speaks Spanish"
    assert name in page and "<svg" in page and "Maria Ortiz" in page and "(216) 555-0199" in page
    assert (
        "Z59" not in page
        and "Diagnosed" not in page
        and "food" not in page.lower().split("<article", 1)[1].replace("food bank", "")
    )
    english = client.get(f"/referrals/{referral['id']}/slip?language=en").get_data(as_text=True)
    assert "Your referrals" in english


def test_safety_referrals_never_print(app, client, signed_in):
    manager, patient, service = signed_in
    refer(client, manager, patient, service)
    other = services(app, 3)[-1]
    refer(client, manager, patient, other, need="safety")
    page = client.get(f"/patients/{patient}/slip").get_data(as_text=True)
    with app.app_context():
        hidden = db.session.get(Service, other).name
    slip = page.split("<article", 1)[1]
    assert hidden not in slip and "not printed on slips" in page


@pytest.mark.parametrize(("paper", "box"), [("letter", b"612.00 792.00"), ("a4", b"595.28 841.89")])
def test_the_pdf_slip_is_one_page_on_letter_or_a4(client, signed_in, paper, box):
    manager, patient, service = signed_in
    referral = refer(client, manager, patient, service).get_json()
    response = client.get(f"/referrals/{referral['id']}/slip.pdf?paper={paper}")
    pdf = response.data
    assert response.mimetype == "application/pdf" and pdf.startswith(b"%PDF")
    assert box in pdf and len(re.findall(rb"/Type /Page\b", pdf)) == 1
    assert b"Sus referidos" in pdf_text(pdf)
    assert client.get(f"/referrals/{referral['id']}/slip.pdf?paper=legal").status_code == 400


def test_an_ehr_fetches_the_pdf_with_a_bearer_token(client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    fetched = client.get(f"/referrals/{referral['id']}/slip.pdf", headers=manager)
    assert fetched.status_code == 200 and fetched.data.startswith(b"%PDF")
    assert client.get(f"/referrals/{referral['id']}/slip.pdf").status_code == 302, "to sign in"
    forged = {"Authorization": "Bearer rfl_forged"}
    assert client.get(f"/referrals/{referral['id']}/slip.pdf", headers=forged).status_code == 401


def test_front_desk_staff_find_and_print_todays_slips_only(app, client, setup):
    manager, patient, service = setup
    today = refer(client, manager, patient, service).get_json()
    old = refer(client, manager, patient, service, need="housing").get_json()
    with app.app_context():
        db.session.execute(
            update(Referral)
            .where(Referral.id == old["id"])
            .values(created_at=datetime.now(UTC) - timedelta(days=3))
        )
        db.session.commit()
    add_user(app, "frank", "staff")
    sign_in(client, "frank")
    listing = client.get("/slips?q=ana").get_data(as_text=True)
    assert "Lopez, Ana" in listing and f"/patients/{patient}/slip" in listing
    assert client.get(f"/patients/{patient}/slip").status_code == 200
    assert client.get(f"/referrals/{today['id']}/slip.pdf").status_code == 200
    assert client.get(f"/referrals/{old['id']}/slip").status_code == 403
    assert client.get(f"/referrals/{today['id']}").status_code == 403, "no referral details"
    assert client.get("/referrals").status_code == 403
    with app.app_context():
        printed = db.session.scalars(
            select(AccessRecord.action).where(AccessRecord.patient_id == patient)
        ).all()
    assert "print" in printed


def test_another_case_manager_cannot_print_someone_elses_slip(app, client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    other = token_for(app, "olga", "case_manager")
    assert client.get(f"/referrals/{referral['id']}/slip.pdf", headers=other).status_code == 403


def test_the_referral_report_shows_the_funnel_outcomes_and_csv(app, client, signed_in):
    manager, patient, service = signed_in
    first = refer(client, manager, patient, service).get_json()
    refer(client, manager, patient, service, need="housing")
    client.post(
        f"/api/v1/referrals/{first['id']}/follow-ups",
        json={"method": "phone", "result": "reached", "patient_says": "got-help"},
        headers=manager,
    )
    html = client.get("/reports/referrals").get_data(as_text=True)
    assert "<strong>2</strong> referrals" in html and "closed loop <strong>50%</strong>" in html
    assert (
        "<svg" in html and "Outcomes by organization" in html and "/reports/referrals.csv?" in html
    )
    csv_text = client.get("/reports/referrals.csv").get_data(as_text=True)
    assert "funnel,referred,1" in csv_text and "funnel,resolved,1" in csv_text
    assert "summary,closed_loop_rate,0.500" in csv_text
    assert client.get("/reports/referrals?from=soon").status_code == 400
    add_user(app, "frank", "staff")
    sign_in(client, "frank")
    assert client.get("/reports/referrals").status_code == 403
