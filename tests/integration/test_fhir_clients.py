"""OAuth clients of the FHIR API: registered from the command line, getting tokens at
POST /fhir/token with the client credentials grant, and those tokens checked, expired and
revoked."""

import base64
import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from referral import create_app
from referral.config import ConfigError
from referral.directory.models import utcnow
from referral.extensions import db
from referral.fhir.models import FhirAccessToken, FhirClient
from referral.fhir.oauth import access_token_for
from referral.network.models import NetworkOrganization
from referral.patients.models import Patient
from tests.conftest import BACKENDS, dispose, make_app

SCOPES = "system/Patient.read system/Task.write"


def register(runner, name="Clinic EHR", scopes=SCOPES, *more) -> tuple[str, str]:
    """Register a client through the command line; its id and secret as printed."""
    result = runner.invoke(args=["fhir-clients", "create", name, "--scopes", scopes, *more])
    assert result.exit_code == 0, result.output
    client_id = re.search(r"^  client id: +(\S+)$", result.output, re.M)
    secret = re.search(r"^  client secret: +(\S+)$", result.output, re.M)
    assert client_id and secret, result.output
    return client_id.group(1), secret.group(1)


def ask(client, client_id, secret, **form):
    """A token request with the secret in the form (client_secret_post)."""
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post("/fhir/token", data={**data, **form})


def basic(client_id: str, secret: str) -> dict:
    """An HTTP Basic header carrying a client's id and secret (client_secret_basic)."""
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def live(app, token: str):
    """What `access_token_for` says of a bearer string: (client id, scope) or None."""
    with app.app_context():
        found = access_token_for(token)
        return None if found is None else (found.client.client_id, found.scope)


def make_org(runner, key="clinic-a"):
    result = runner.invoke(args=["orgs", "create", key, "--name", key.title(), "--kind", "both"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def registered(app, runner):
    """A client registered for reading patients and writing tasks: (id, secret)."""
    return register(runner)


def test_create_prints_an_id_and_a_secret_and_keeps_only_a_digest_of_the_secret(app, runner):
    client_id, secret = register(runner, "Clinic EHR", "system/Task.write  system/Patient.read")
    assert client_id.startswith("fhir_") and len(secret) > 40
    with app.app_context():
        client = db.session.scalar(select(FhirClient))
        assert (client.client_id, client.name, client.active) == (client_id, "Clinic EHR", True)
        assert client.scopes == SCOPES, "scopes are kept sorted, one space apart"
        assert client.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (client.secret_hash, client.name, client.scopes)
        assert client.organization is None and client.created_at is not None


def test_create_with_org_binds_the_client_to_that_organization(app, runner):
    make_org(runner, "clinic-a")
    register(runner, "Clinic EHR", SCOPES, "--org", "clinic-a")
    with app.app_context():
        client = db.session.scalar(select(FhirClient))
        assert client.organization.key == "clinic-a"


def test_an_unknown_org_key_is_refused_by_name_and_nothing_is_registered(app, runner):
    make_org(runner, "clinic-a")
    result = runner.invoke(
        args=["fhir-clients", "create", "EHR", "--scopes", SCOPES, "--org", "clinic-z"]
    )
    assert result.exit_code != 0
    assert "'clinic-z'" in result.output and "clinic-a" in result.output
    with app.app_context():
        assert db.session.scalar(select(sa.func.count(FhirClient.id))) == 0


def test_bad_scopes_are_refused_naming_each_one_and_nothing_is_registered(app, runner):
    scopes = "system/Patient.read user/Patient.read system/Dragon.read system/Task.delete junk"
    result = runner.invoke(args=["fhir-clients", "create", "EHR", "--scopes", scopes])
    assert result.exit_code != 0
    for bad in ("user/Patient.read", "system/Dragon.read", "system/Task.delete", "junk"):
        assert f"{bad}:" in result.output
    assert "system/Patient.read:" not in result.output
    assert "only system/ scopes" in result.output
    with app.app_context():
        assert db.session.scalar(select(sa.func.count(FhirClient.id))) == 0


def test_a_blank_name_or_no_scopes_is_refused(runner):
    blank = runner.invoke(args=["fhir-clients", "create", "  ", "--scopes", SCOPES])
    assert blank.exit_code != 0 and "name" in blank.output
    empty = runner.invoke(args=["fhir-clients", "create", "EHR", "--scopes", " "])
    assert empty.exit_code != 0 and "at least one" in empty.output
    missing = runner.invoke(args=["fhir-clients", "create", "EHR"])
    assert missing.exit_code != 0 and "--scopes" in missing.output


def test_list_shows_name_id_organization_scopes_state_and_date(app, runner):
    assert "No FHIR clients yet" in runner.invoke(args=["fhir-clients", "list"]).output
    make_org(runner, "clinic-a")
    first, _ = register(runner, "Clinic EHR", SCOPES, "--org", "clinic-a")
    second, _ = register(runner, "Data warehouse", "system/*.read")
    runner.invoke(args=["fhir-clients", "revoke", second])
    rows = [
        line.split("\t")
        for line in runner.invoke(args=["fhir-clients", "list"]).output.splitlines()
    ]
    today = f"{utcnow():%Y-%m-%d}"
    assert [row[:5] for row in rows] == [
        ["Clinic EHR", first, "clinic-a", SCOPES, "active"],
        ["Data warehouse", second, "-", "system/*.read", "revoked"],
    ]
    assert all(row[5].startswith(today) for row in rows)


def test_a_token_for_the_secret_in_the_form_carries_every_registered_scope(app, client, registered):
    response = ask(client, *registered)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, SCOPES)
    assert response.headers["Cache-Control"] == "no-store"
    assert live(app, body["access_token"]) == (registered[0], SCOPES)


def test_a_token_for_http_basic_authentication(app, client, registered):
    response = client.post(
        "/fhir/token", data={"grant_type": "client_credentials"}, headers=basic(*registered)
    )
    assert response.status_code == 200, response.get_json()
    assert live(app, response.get_json()["access_token"]) == (registered[0], SCOPES)


def test_only_the_digest_of_a_token_is_stored(app, client, registered):
    token = ask(client, *registered).get_json()["access_token"]
    with app.app_context():
        (record,) = db.session.scalars(select(FhirAccessToken)).all()
        assert record.digest == hashlib.sha256(token.encode()).hexdigest()
        stored = [str(value) for value in db.session.execute(select(FhirAccessToken)).first()]
        assert token not in " ".join([*stored, record.scope, record.digest])
        lasts = record.expires_at - record.issued_at
        assert lasts == timedelta(seconds=3600)


def test_a_token_may_ask_for_fewer_scopes_than_registered(app, client, registered):
    response = ask(client, *registered, scope="system/Patient.read")
    assert response.status_code == 200
    body = response.get_json()
    assert body["scope"] == "system/Patient.read"
    assert live(app, body["access_token"]) == (registered[0], "system/Patient.read")


def test_a_wildcard_registration_covers_asking_for_one_type(app, client, runner):
    wide = register(runner, "Warehouse", "system/*.read")
    response = ask(client, *wide, scope="system/Observation.read system/Patient.read")
    assert response.status_code == 200
    assert response.get_json()["scope"] == "system/Observation.read system/Patient.read"
    wider = ask(client, *wide, scope="system/Patient.*")
    assert wider.status_code == 400 and wider.get_json()["error"] == "invalid_scope"


def test_asking_for_more_than_registered_is_invalid_scope(app, client, registered):
    response = ask(client, *registered, scope="system/Patient.read system/Patient.write")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_scope"
    assert "system/Patient.write" in body["error_description"]
    assert response.headers["Cache-Control"] == "no-store"
    malformed = ask(client, *registered, scope='user/Patient.read "é"')
    assert malformed.status_code == 400 and malformed.get_json()["error"] == "invalid_scope"
    with app.app_context():
        assert db.session.scalar(select(sa.func.count(FhirAccessToken.id))) == 0


@pytest.mark.parametrize(
    "credentials",
    [
        lambda cid, secret: (cid, secret + "x"),
        lambda cid, secret: ("fhir_nobody", secret),
        lambda cid, secret: (cid, ""),
    ],
    ids=["wrong secret", "unknown client", "no secret"],
)
def test_wrong_credentials_are_invalid_client_401(app, client, registered, credentials):
    client_id, secret = credentials(*registered)
    for response in (
        ask(client, client_id, secret),
        client.post(
            "/fhir/token",
            data={"grant_type": "client_credentials"},
            headers=basic(client_id, secret),
        ),
    ):
        assert response.status_code == 401
        assert response.get_json()["error"] == "invalid_client"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_no_credentials_at_all_is_invalid_client(client):
    response = client.post("/fhir/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


def test_another_grant_type_is_unsupported(client, registered):
    response = ask(client, *registered, grant_type="password")
    assert response.status_code == 400
    assert response.get_json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    "send",
    [
        lambda c, cid, s: c.post(
            "/fhir/token",
            json={"grant_type": "client_credentials", "client_id": cid, "client_secret": s},
        ),
        lambda c, cid, s: c.post(
            "/fhir/token", data="grant_type=client_credentials", content_type="text/plain"
        ),
        lambda c, cid, s: c.post("/fhir/token", data={"client_id": cid, "client_secret": s}),
        lambda c, cid, s: c.post(
            "/fhir/token",
            data=f"grant_type=client_credentials&client_id={cid}&client_secret={s}&scope=a&scope=b",
            content_type="application/x-www-form-urlencoded",
        ),
        lambda c, cid, s: c.post(
            f"/fhir/token?client_secret={s}",
            data={"grant_type": "client_credentials", "client_id": cid},
        ),
        lambda c, cid, s: c.post(
            "/fhir/token",
            data={
                "grant_type": "client_credentials",
                "client_id": cid + "\x00",
                "client_secret": s,
            },
        ),
    ],
    ids=["json", "plain text", "no grant type", "repeated", "query string", "NUL"],
)
def test_a_request_not_shaped_as_oauth_asks_is_invalid_request(app, client, registered, send):
    response = send(client, *registered)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "invalid_request"
    assert response.headers["Cache-Control"] == "no-store"


def test_control_characters_in_a_basic_header_do_not_break_the_lookup(client):
    pair = base64.b64encode(b"fhir_\x00x:secret\x00").decode()
    response = client.post(
        "/fhir/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {pair}"},
    )
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"
    garbled = base64.b64encode(b"\xff\xfe:\xfa").decode()
    response = client.post(
        "/fhir/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {garbled}"},
    )
    assert response.status_code == 401


def test_tokens_are_issued_over_https_or_to_this_machine_only(client, registered):
    data = {"grant_type": "client_credentials"}
    plain = client.post(
        "/fhir/token", data=data, headers=basic(*registered), base_url="http://referrals.example"
    )
    assert plain.status_code == 400 and plain.get_json()["error"] == "insecure_transport"
    secure = client.post(
        "/fhir/token", data=data, headers=basic(*registered), base_url="https://referrals.example"
    )
    assert secure.status_code == 200


def test_an_expired_token_is_not_live(app, client, registered):
    token = ask(client, *registered).get_json()["access_token"]
    assert live(app, token) is not None
    with app.app_context():
        record = db.session.scalar(select(FhirAccessToken))
        record.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert live(app, token) is None


def test_unknown_strings_are_not_live_tokens(app, client, registered):
    token = ask(client, *registered).get_json()["access_token"]
    assert live(app, token + "x") is None
    assert live(app, "") is None
    assert live(app, "a\x00b") is None


def test_revoking_a_client_stops_its_tokens_and_its_token_requests(app, client, runner, registered):
    client_id, secret = registered
    token = ask(client, client_id, secret).get_json()["access_token"]
    other_id, other_secret = register(runner, "Other", "system/Task.read")
    other_token = ask(client, other_id, other_secret).get_json()["access_token"]
    result = runner.invoke(args=["fhir-clients", "revoke", client_id])
    assert result.exit_code == 0 and "1 token(s)" in result.output
    assert live(app, token) is None
    assert live(app, other_token) == (other_id, "system/Task.read"), "others keep working"
    refused = ask(client, client_id, secret)
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    with app.app_context():
        record = db.session.scalar(
            select(FhirAccessToken).join(FhirClient).where(FhirClient.client_id == client_id)
        )
        assert record.revoked and not record.client.active


def test_revoking_an_unknown_client_says_so(runner):
    result = runner.invoke(args=["fhir-clients", "revoke", "fhir_nobody"])
    assert result.exit_code != 0 and "fhir_nobody" in result.output


def test_a_switched_off_organization_stops_its_clients(app, client, runner):
    make_org(runner, "clinic-a")
    client_id, secret = register(runner, "EHR", SCOPES, "--org", "clinic-a")
    token = ask(client, client_id, secret).get_json()["access_token"]
    assert live(app, token) == (client_id, SCOPES)
    with app.app_context():
        organization = db.session.scalar(
            select(NetworkOrganization).where(NetworkOrganization.key == "clinic-a")
        )
        organization.active = False
        db.session.commit()
    assert live(app, token) is None
    assert ask(client, client_id, secret).status_code == 401


@pytest.fixture(params=BACKENDS)
def tuned(request, tmp_path):
    """An app whose tokens last two minutes and which allows three refused token requests."""
    app = make_app(request.param, tmp_path, FHIR_TOKEN_SECONDS=120, FHIR_TOKEN_LIMIT="3 per minute")
    yield app
    dispose(app)


def test_the_token_lifetime_is_the_configured_one(tuned):
    client_id, secret = register(tuned.test_cli_runner())
    before = utcnow()
    response = ask(tuned.test_client(), client_id, secret)
    assert response.get_json()["expires_in"] == 120
    with tuned.app_context():
        expires_at = db.session.scalar(select(FhirAccessToken.expires_at))
    expires_at = expires_at.replace(tzinfo=before.tzinfo)
    assert timedelta(seconds=119) <= expires_at - before <= timedelta(seconds=125)


def test_refused_token_requests_are_throttled_and_granted_ones_are_not(tuned):
    client_id, secret = register(tuned.test_cli_runner())
    web = tuned.test_client()
    for _ in range(5):
        assert ask(web, client_id, secret).status_code == 200
    for _ in range(3):
        assert ask(web, client_id, "guess").status_code == 401
    throttled = ask(web, client_id, secret)
    assert throttled.status_code == 429
    assert throttled.get_json()["error"] == "slow_down"
    assert throttled.headers["Retry-After"] and throttled.headers["Cache-Control"] == "no-store"


def test_the_token_lifetime_setting_is_read_from_the_environment_and_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("REFERRAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("REFERRAL_FHIR_TOKEN_SECONDS", "900")
    app = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["REFERRAL"]["FHIR_TOKEN_SECONDS"] == 900
    monkeypatch.setenv("REFERRAL_FHIR_TOKEN_SECONDS", "0")
    with pytest.raises(ConfigError, match="REFERRAL_FHIR_TOKEN_SECONDS"):
        create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


def test_a_patient_records_when_it_last_changed(app):
    with app.app_context():
        organization = NetworkOrganization(key="clinic-a", name="Clinic A")
        db.session.add(organization)
        db.session.flush()
        patient = Patient(
            given_name="Rosa",
            family_name="Diaz",
            birth_date=utcnow().date(),
            organization_id=organization.id,
        )
        db.session.add(patient)
        db.session.commit()
        first = patient.updated_at
        assert first is not None
        patient.phone = "2165550142"
        db.session.commit()
        assert patient.updated_at > first


@pytest.fixture(params=BACKENDS)
def before_fhir(request, tmp_path):
    """A database at schema 0012, with an organization and a patient registered in 2026."""
    app = make_app(request.param, tmp_path)
    migrations = app.extensions["migrate"].directory
    with app.app_context():
        db.drop_all()
        upgrade(directory=migrations)
        db.session.remove()
        downgrade(directory=migrations, revision="0012")
        run = db.session.execute
        run(
            sa.text(
                "INSERT INTO network_organizations (id, key, name, kind, email, link_enabled,"
                " active, created_at) VALUES (1, 'default', 'Clinic', 'both', '', :yes, :yes,"
                " '2026-11-01 10:00:00+00:00')"
            ),
            {"yes": True},
        )
        run(
            sa.text(
                "INSERT INTO patients (id, given_name, family_name, birth_date, phone,"
                " postal_code, preferred_language, contact_channel, time_zone, organization_id,"
                " created_at, version) VALUES (1, 'Rosa', 'Diaz', '1975-02-11', '', '44113', 'es',"
                " 'phone', 'America/New_York', 1, '2026-11-01 10:00:00+00:00', 1)"
            )
        )
        db.session.commit()
    yield app
    dispose(app)


def test_the_upgrade_adds_the_client_tables_and_dates_each_patients_last_change(before_fhir):
    app = before_fhir
    with app.app_context():
        assert "fhir_clients" not in sa.inspect(db.engine).get_table_names()
        upgrade(directory=app.extensions["migrate"].directory)
        tables = sa.inspect(db.engine).get_table_names()
        assert {"fhir_clients", "fhir_access_tokens"} <= set(tables)
        columns = {c["name"]: c for c in sa.inspect(db.engine).get_columns("patients")}
        assert columns["updated_at"]["nullable"] is False
        patient = db.session.get(Patient, 1)
        assert patient.updated_at == patient.created_at
        assert patient.updated_at.year == 2026
        db.session.remove()
        downgrade(directory=app.extensions["migrate"].directory, revision="0012")
        assert "fhir_clients" not in sa.inspect(db.engine).get_table_names()
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("patients")}
        assert "updated_at" not in columns
