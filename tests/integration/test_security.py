"""Security headers, sign-in throttling, the record of refused sign-ins and the password rules."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from referral.auth.models import SignInFailure, User
from referral.extensions import db
from tests.conftest import PASSWORD, ROOT, add_user, csrf_token, sign_in
from tests.integration.test_receiver_links import linked  # noqa: F401  (a fixture)

INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy of an answer, by directive."""
    header = response.headers["Content-Security-Policy"]
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in pairs}


def test_pages_forbid_inline_scripts_framing_sniffing_and_referrers(client):
    response = client.get("/")
    csp = policy(response)
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_patient_pages_and_signed_links_send_no_referrer(client, linked):  # noqa: F811
    manager, referral, path = linked
    for answer in (
        client.get(f"/api/v1/referrals/{referral['id']}", headers=manager),
        client.get(path),
    ):
        assert answer.status_code == 200
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


def test_no_template_carries_an_inline_script_handler_or_javascript_link():
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(text), template
        assert not INLINE_HANDLER.search(text), template
        assert "javascript:" not in text, template


def test_the_inline_style_of_a_slip_carries_the_policy_nonce(app, client, linked):  # noqa: F811
    add_user(app, "front", "staff")
    sign_in(client, "front")
    _manager, referral, _path = linked
    page = client.get(f"/referrals/{referral['id']}/slip")
    assert page.status_code == 200
    nonce = re.search(r'<style nonce="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert f"'nonce-{nonce}'" in policy(page)["style-src"]


def test_hsts_and_secure_cookies_only_over_https(app, client):
    add_user(app, "maria", "case_manager")
    plain = sign_in(client, "maria")
    assert "Strict-Transport-Security" not in plain.headers
    assert all("secure" not in c.lower() for c in plain.headers.getlist("Set-Cookie"))
    secure = app.test_client()
    token = csrf_token(secure, "https://localhost/login")
    answer = secure.post(
        "https://localhost/login",
        data={"username": "maria", "password": PASSWORD, "csrf_token": token},
    )
    assert answer.status_code == 302
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = answer.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in c for c in cookies)


def attempt(app, username: str, password: str, address: str = "10.0.0.1"):
    """One sign-in from its own browser at `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client)
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=data)


def test_the_eleventh_wrong_password_in_a_minute_is_refused_even_when_right(app):
    add_user(app, "maria", "case_manager")
    for _ in range(10):
        assert attempt(app, "maria", "not the password").status_code == 401
    refused = attempt(app, "maria", PASSWORD)
    assert refused.status_code == 429
    assert "Too many sign-ins failed" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"]


def test_an_account_is_throttled_whatever_address_the_guesses_come_from(app):
    add_user(app, "maria", "case_manager")
    for n in range(10):
        assert attempt(app, "maria", "guess", f"10.0.1.{n}").status_code == 401
    assert attempt(app, "maria", PASSWORD, "10.0.2.1").status_code == 429
    add_user(app, "ines", "case_manager")
    assert attempt(app, "ines", PASSWORD, "10.0.2.1").status_code == 302


def test_an_address_is_throttled_whatever_accounts_it_tries(app):
    add_user(app, "maria", "case_manager")
    for n in range(10):
        assert attempt(app, f"user{n}", "guess", "10.0.3.1").status_code == 401
    assert attempt(app, "maria", PASSWORD, "10.0.3.1").status_code == 429
    assert attempt(app, "maria", PASSWORD, "10.0.3.2").status_code == 302


def test_only_refused_sign_ins_count_against_the_limit(app):
    add_user(app, "maria", "case_manager")
    for _ in range(15):
        assert attempt(app, "maria", PASSWORD).status_code == 302


def test_admins_see_refused_sign_ins_and_others_do_not(app, client):
    add_user(app, "maria", "case_manager")
    add_user(app, "root", "admin")
    attempt(app, "maria", "wrong one", "10.0.4.1")
    attempt(app, "nobody", "wrong one", "10.0.4.2")
    with app.app_context():
        rows = db.session.scalars(select(SignInFailure).order_by(SignInFailure.id)).all()
        seen = [(r.username, r.address, r.reason) for r in rows]
    assert seen == [
        ("maria", "10.0.4.1", "wrong password"),
        ("nobody", "10.0.4.2", "unknown user"),
    ]
    sign_in(client, "maria")
    assert client.get("/admin/sign-ins").status_code == 403
    admin = app.test_client()
    sign_in(admin, "root")
    page = admin.get("/admin/sign-ins").get_data(as_text=True)
    assert "10.0.4.1" in page and "wrong password" in page and "no such account" in page
    assert "<strong>2</strong> in the last 24 hours" in admin.get("/admin/users").get_data(
        as_text=True
    )


def test_throttled_attempts_are_recorded_too(app):
    for _ in range(11):
        attempt(app, "maria", "guess", "10.0.5.1")
    with app.app_context():
        reasons = db.session.scalars(select(SignInFailure.reason)).all()
    assert reasons.count("unknown user") == 10 and reasons.count("throttled") == 1


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12 characters"),
        ("password1234", "common passwords"),
        ("Password1234!", "similar to a commonly used password"),
        ("maria-maria-2026", "may not contain the username"),
        ("aaaaaaaaaaaaaaaa", "Use a longer password"),
    ],
)
def test_weak_passwords_are_refused_when_changing_your_own(app, client, password, problem):
    add_user(app, "maria", "case_manager")
    sign_in(client, "maria")
    token = csrf_token(client, "/account")
    data = {"current": PASSWORD, "new": password, "repeated": password, "csrf_token": token}
    answer = client.post("/account/password", data=data)
    assert answer.status_code == 400
    assert problem in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "maria")).check_password(
            PASSWORD
        )


def test_you_change_your_password_with_the_current_one(app, client):
    add_user(app, "maria", "case_manager")
    sign_in(client, "maria")
    new = "plum kettle orbit seventeen"
    token = csrf_token(client, "/account")
    wrong = {"current": "not mine", "new": new, "repeated": new, "csrf_token": token}
    assert "not your current password" in client.post("/account/password", data=wrong).get_data(
        as_text=True
    )
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "maria"))
        user.phone = "+12165550100"
        db.session.commit()
    page = client.post("/account/password", data=wrong).get_data(as_text=True)
    assert 'value="(216) 555-0100"' in page
    right = {**wrong, "current": PASSWORD}
    assert client.post("/account/password", data=right).status_code == 302
    assert attempt(app, "maria", new).status_code == 302
    assert attempt(app, "maria", PASSWORD).status_code == 401


def test_the_command_line_refuses_a_common_password(runner):
    with runner.app.app_context():
        db.create_all()
    weak = runner.invoke(args=["users", "create", "ana", "--role", "staff"], input="password1234\n")
    assert weak.exit_code != 0 and "common passwords" in weak.output
    made = runner.invoke(args=["users", "create", "ana", "--role", "staff"], input=f"{PASSWORD}\n")
    assert made.exit_code == 0, made.output
    changed = runner.invoke(args=["users", "password", "ana"], input="lantern cobalt meadow\n")
    assert changed.exit_code == 0 and "is changed" in changed.output


def test_account_commands_before_init_say_what_to_run(tmp_path):
    from referral import create_app

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{Path(tmp_path) / 'n.db'}"}
    )
    made = app.test_cli_runner().invoke(
        args=["users", "create", "ana", "--role", "staff"], input=f"{PASSWORD}\n"
    )
    assert made.exit_code != 0 and "referral init" in made.output
