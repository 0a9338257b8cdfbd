"""The care team's pages: register a patient, screen them, see coded needs and nearby services."""

import re

import pytest

from tests.conftest import add_user, csrf_token, load_directory, sign_in
from tests.integration.test_screenings_api import HUNGRY_AND_BEHIND


@pytest.fixture
def team(app, client):
    load_directory(app)
    add_user(app, "maria", "case_manager")
    sign_in(client, "maria")
    return client


def register(client, **extra):
    token = csrf_token(client, "/patients/new")
    data = {
        "csrf_token": token,
        "given_name": "Ana",
        "family_name": "Lopez",
        "birth_date": "1980-04-30",
        "postal_code": "44102",
        "preferred_language": "es",
        "contact_ok": "1",
        **extra,
    }
    return client.post("/patients/new", data=data)


def patient_path(response):
    return response.headers["Location"]


def test_register_then_find_a_patient(team):
    response = register(team)
    assert response.status_code == 302 and re.match(r"^/patients/\d+$", patient_path(response))
    page = team.get("/patients?q=lopez").get_data(as_text=True)
    assert "Lopez, Ana" in page


def test_every_registration_problem_is_listed(team):
    response = register(team, given_name="", birth_date="someday", postal_code="123")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was saved" in html
    assert html.count('class="field-error"') == 3


def test_a_lookalike_must_be_confirmed_before_a_second_record(team):
    register(team)
    warned = register(team, given_name="Anna")
    assert warned.status_code == 200 and "may be someone already registered" in warned.get_data(
        as_text=True
    )
    confirmed = register(team, given_name="Anna", confirmed="1")
    assert confirmed.status_code == 302


def answer_form(client, path, answers):
    data = {"csrf_token": csrf_token(client, path)}
    pairs = [(k, v) for k, vs in answers.items() for v in (vs if isinstance(vs, list) else [vs])]
    form = list(data.items()) + pairs
    from werkzeug.datastructures import MultiDict

    return client.post(path, data=MultiDict(form))


def test_screen_a_patient_and_see_needs_codes_and_nearby_services(team):
    patient = patient_path(register(team))
    path = f"{patient}/screen/ahc-hrsn-core"
    form = team.get(path).get_data(as_text=True)
    assert form.count('<fieldset class="question"') == 10
    response = answer_form(team, path, HUNGRY_AND_BEHIND)
    assert response.status_code == 302
    results = team.get(response.headers["Location"]).get_data(as_text=True)
    assert "Z59.41" in results and "Z59.12" in results and "food-insecurity" in results
    assert "Food near 44102" in results and 'href="/services/' in results
    assert "Involve a clinician" not in results


def test_an_incomplete_form_lists_every_unanswered_question_and_saves_nothing(team):
    patient = patient_path(register(team))
    response = answer_form(team, f"{patient}/screen/ahc-hrsn-core", {"88122-7": "LA28397-0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and html.count("<li>Answer:") == 9
    assert "Not screened yet" in team.get(patient).get_data(as_text=True)


def test_the_form_reads_in_spanish_and_names_its_source(team):
    patient = patient_path(register(team))
    html = team.get(f"{patient}/screen/hunger-vital-sign?lang=es").get_data(as_text=True)
    assert 'lang="es"' in html and "Project translation" in html


def test_the_self_screen_thanks_the_patient_without_showing_results(team):
    patient = patient_path(register(team))
    path = f"{patient}/screen/hunger-vital-sign?mode=self&lang=es"
    response = answer_form(team, path, {"88122-7": "LA28397-0", "88123-5": "LA28398-8"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Gracias" in html and "Z59" not in html


def test_a_positive_safety_screen_shows_clinician_guidance_and_no_safety_services(team):
    patient = patient_path(register(team))
    unsafe = HUNGRY_AND_BEHIND | {"95618-5": "LA6482-9", "95617-7": "LA6482-9"}
    response = answer_form(team, f"{patient}/screen/ahc-hrsn-core", unsafe)
    html = team.get(response.headers["Location"]).get_data(as_text=True)
    assert "Involve a clinician" in html and "Safety near" not in html


def test_staff_cannot_open_patients_or_screenings(app, client):
    add_user(app, "sam", "staff")
    sign_in(client, "sam")
    assert client.get("/patients").status_code == 403
    assert client.get("/patients/1/screen/ahc-hrsn-core").status_code == 403
    assert client.get("/screenings/1").status_code == 403


def test_the_report_counts_screenings_draws_a_chart_and_downloads_csv(team):
    patient = patient_path(register(team))
    answer_form(team, f"{patient}/screen/ahc-hrsn-core", HUNGRY_AND_BEHIND)
    html = team.get("/reports/screening").get_data(as_text=True)
    assert "<strong>1</strong> patient screened" in html and "<svg" in html
    assert "food insecurity" in html and "100%" in html
    response = team.get("/reports/screening.csv")
    assert response.mimetype == "text/csv"
    assert "all,food-insecurity,1,1,1,1.000" in response.get_data(as_text=True)


def test_reports_are_for_the_care_team_and_refuse_bad_dates(app, client, team):
    assert team.get("/reports/screening?from=yesterday").status_code == 400
    add_user(app, "sam", "staff")
    other = app.test_client()
    sign_in(other, "sam")
    assert other.get("/reports/screening").status_code == 403


def test_the_self_screen_interface_speaks_the_patients_language(team):
    patient = patient_path(register(team))
    spanish = team.get(f"{patient}/screen/hunger-vital-sign?mode=self&lang=es").get_data(
        as_text=True
    )
    english = team.get(f"{patient}/screen/hunger-vital-sign?mode=self&lang=en").get_data(
        as_text=True
    )
    assert "Siguiente" in spanish and "Guardar respuestas" in spanish
    assert "Next" in english and "Siguiente" not in english


def test_a_suggested_service_is_one_click_away_from_a_referral(team):
    patient = patient_path(register(team))
    screening = answer_form(team, f"{patient}/screen/ahc-hrsn-core", HUNGRY_AND_BEHIND).headers[
        "Location"
    ]
    page = team.get(screening).get_data(as_text=True)
    food = page.split('name="need" value="food"', 1)[1].split("</form>", 1)[0]
    service = re.search(r'name="service_id" value="([^"]+)" checked', food).group(1)
    token = csrf_token(team, screening)
    refused = team.post(
        f"{screening}/refer", data={"csrf_token": token, "service_id": service, "need": "food"}
    )
    assert "Not referred" in team.get(refused.headers["Location"]).get_data(as_text=True)
    done = team.post(
        f"{screening}/refer",
        data={"csrf_token": token, "service_id": service, "need": "food", "consent": "1"},
    )
    assert "Referred to 1 service(s)" in team.get(done.headers["Location"]).get_data(as_text=True)
    referral = team.get("/api/v1/referrals", headers={"Accept": "application/json"}).get_json()[
        "results"
    ][0]
    link = team.get(f"/api/v1/referrals/{referral['id']}").get_json()["receiver_link"]
    organization_page = team.application.test_client().get(link.split("localhost", 1)[-1])
    text = organization_page.get_data(as_text=True).lower()
    assert organization_page.status_code == 200 and "screening" not in text and "hunger" not in text


def test_several_suggestions_for_one_need_are_referred_at_once(team):
    patient = patient_path(register(team))
    screening = answer_form(team, f"{patient}/screen/ahc-hrsn-core", HUNGRY_AND_BEHIND).headers[
        "Location"
    ]
    page = team.get(screening).get_data(as_text=True)
    food = page.split('name="need" value="food"', 1)[1].split("</form>", 1)[0]
    services = re.findall(r'name="service_id" value="([^"]+)"', food)
    places = dict(re.findall(r'name="location:([^"]+)" value="([^"]*)"', food))
    assert len(services) >= 2
    done = team.post(
        f"{screening}/refer",
        data={
            "csrf_token": csrf_token(team, screening),
            "service_id": services[:2],
            "need": "food",
            "consent": "1",
            **{f"location:{sid}": places[sid] for sid in services[:2]},
        },
    )
    assert "Referred to 2 service(s)" in team.get(done.headers["Location"]).get_data(as_text=True)
    listed = team.get("/api/v1/referrals").get_json()["results"]
    assert sorted(r["service_id"] for r in listed) == sorted(services[:2])
    assert all(r["location_id"] for r in listed)
