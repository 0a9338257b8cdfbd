"""Signing in, roles, CSRF and API tokens."""

import re

from sqlalchemy import select

from referral.auth.models import ApiToken, User
from referral.auth.operations import issue_token
from referral.extensions import db
from tests.conftest import PASSWORD, add_user, csrf_token, sign_in


def test_sign_in_with_the_right_password_and_out_again(app, client):
    add_user(app, "maria", "case_manager")
    response = sign_in(client, "maria")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "maria" in page and "case manager" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_is_refused_with_a_clear_message(app, client):
    add_user(app, "maria", "case_manager")
    response = sign_in(client, "maria", "not the password")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)


def test_a_form_post_without_the_csrf_token_is_refused(app, client):
    add_user(app, "maria", "case_manager")
    response = client.post("/login", data={"username": "maria", "password": PASSWORD})
    assert response.status_code == 400
    assert response.headers.get("Location") != "/"


def test_passwords_are_stored_hashed(app):
    add_user(app, "maria", "case_manager")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "maria"))
        assert PASSWORD not in user.password_hash and user.check_password(PASSWORD)


def test_api_tokens_are_stored_as_digests_and_authenticate(app, client):
    add_user(app, "eve", "curator")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "eve"))
        token = issue_token(user)
        db.session.commit()
        stored = db.session.scalars(select(ApiToken.digest)).all()
    assert token not in stored and len(stored) == 1
    app.config["REFERRAL"]["PUBLIC_DIRECTORY"] = False
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/search?q=food", headers=headers).status_code == 200
    assert (
        client.get("/api/v1/search?q=food", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )


def test_a_closed_directory_sends_people_to_sign_in(app, client):
    app.config["REFERRAL"]["PUBLIC_DIRECTORY"] = False
    response = client.get("/?q=food")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_next_never_leaves_the_site(app, client):
    add_user(app, "maria", "case_manager")
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"username": "maria", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/worklist", "a case manager's home"


def admin_client(app, client):
    add_user(app, "root", "admin")
    sign_in(client, "root")
    return client


def test_accounts_page_needs_sign_in_and_the_admin_role(app, client):
    assert client.get("/admin/users").status_code == 302
    add_user(app, "maria", "case_manager")
    sign_in(client, "maria")
    response = client.get("/admin/users")
    assert response.status_code == 403 and "Not allowed" in response.get_data(as_text=True)
    assert 'href="/admin/users"' not in client.get("/").get_data(as_text=True)


def test_an_admin_adds_a_person_who_signs_in_with_the_password_shown_once(app, client):
    admin_client(app, client)
    token = csrf_token(client, "/admin/users")
    page = client.post(
        "/admin/users",
        data={"username": "sam", "display_name": "Sam Ortiz", "role": "staff", "csrf_token": token},
    ).get_data(as_text=True)
    password = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    assert "shown only this once" in page
    assert password not in client.get("/admin/users").get_data(as_text=True)
    other = app.test_client()
    assert sign_in(other, "sam", password).status_code == 302


def test_a_duplicate_username_is_refused_on_the_form(app, client):
    admin_client(app, client)
    token = csrf_token(client, "/admin/users")
    response = client.post(
        "/admin/users", data={"username": "root", "role": "staff", "csrf_token": token}
    )
    assert response.status_code == 422 and "already a user" in response.get_data(as_text=True)


def test_switching_an_account_off_stops_sign_in_and_its_tokens(app, client):
    admin_client(app, client)
    add_user(app, "eve", "curator")
    with app.app_context():
        eve = db.session.scalar(select(User).where(User.username == "eve"))
        token, eve_id = issue_token(eve), eve.id
        db.session.commit()
    app.config["REFERRAL"]["PUBLIC_DIRECTORY"] = False
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/search?q=x", headers=headers).status_code == 200
    action = csrf_token(client, "/admin/users")
    assert (
        client.post(f"/admin/users/{eve_id}/active", data={"csrf_token": action}).status_code == 302
    )
    assert app.test_client().get("/api/v1/search?q=x", headers=headers).status_code == 401
    assert sign_in(app.test_client(), "eve").status_code == 401


def test_an_admin_cannot_switch_off_their_own_account(app, client):
    admin_client(app, client)
    with app.app_context():
        root_id = db.session.scalar(select(User.id).where(User.username == "root"))
    action = csrf_token(client, "/admin/users")
    assert (
        client.post(f"/admin/users/{root_id}/active", data={"csrf_token": action}).status_code
        == 422
    )


def test_account_buttons_need_the_csrf_token(app, client):
    admin_client(app, client)
    with app.app_context():
        root_id = db.session.scalar(select(User.id).where(User.username == "root"))
    assert client.post(f"/admin/users/{root_id}/password").status_code in {400, 422}


def test_people_set_the_name_phone_and_email_their_slips_show(app, client):
    add_user(app, "maria", "case_manager")
    sign_in(client, "maria")
    token = csrf_token(client, "/account")
    bad = client.post(
        "/account",
        data={"csrf_token": token, "display_name": "Maria Ortiz", "phone": "12", "email": "x"},
    )
    page = bad.get_data(as_text=True)
    assert (
        bad.status_code == 400 and "not a valid phone number" in page and "name@clinic.org" in page
    )
    good = client.post(
        "/account",
        data={
            "csrf_token": token,
            "display_name": "Maria Ortiz",
            "phone": "216 555 0199",
            "email": "maria@clinic.org",
        },
        follow_redirects=True,
    )
    assert "Your details are saved" in good.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "maria"))
        assert (user.display_name, user.phone, user.email) == (
            "Maria Ortiz",
            "+12165550199",
            "maria@clinic.org",
        )
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get("/account").status_code == 302
