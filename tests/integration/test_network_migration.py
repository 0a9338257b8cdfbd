"""An installation made before organizations existed upgrades into one default organization
with nothing lost: every account keeps its role, every patient and referral stays seen."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from werkzeug.security import generate_password_hash

from referral.auth.models import User
from referral.extensions import db
from referral.network.models import Membership, NetworkOrganization
from referral.patients.models import Patient
from referral.referrals.models import Referral
from tests.conftest import BACKENDS, PASSWORD, dispose, load_directory, make_app, sign_in

NOW = "2026-11-01 10:00:00+00:00"


@pytest.fixture(params=BACKENDS)
def old_release(request, tmp_path):
    """A database as the release before organizations left it: schema 0009, the bundled
    directory, an admin, two case managers, their patients and a referral."""
    app = make_app(request.param, tmp_path)
    migrations = app.extensions["migrate"].directory
    with app.app_context():
        db.drop_all()
        upgrade(directory=migrations)
    load_directory(app)
    with app.app_context():
        db.session.remove()
        downgrade(directory=migrations, revision="0009")
        hashed = generate_password_hash(PASSWORD)
        service = db.session.execute(sa.text("SELECT id FROM services LIMIT 1")).scalar()
        run = db.session.execute
        for user_id, name, role in (
            (1, "root", "admin"),
            (2, "ann", "case_manager"),
            (3, "ben", "case_manager"),
        ):
            run(
                sa.text(
                    "INSERT INTO users (id, username, display_name, email, phone, role,"
                    " password_hash, active, created_at) VALUES (:id, :name, :display, '', '',"
                    " :role, :hash, :yes, :now)"
                ),
                {
                    "id": user_id,
                    "name": name,
                    "display": name,
                    "role": role,
                    "hash": hashed,
                    "yes": True,
                    "now": NOW,
                },
            )
        for patient_id, by, mrn in ((1, 2, "M-1"), (2, 3, "M-2")):
            run(
                sa.text(
                    "INSERT INTO patients (id, given_name, family_name, birth_date, phone,"
                    " postal_code, preferred_language, mrn, created_at, created_by, version)"
                    " VALUES (:id, 'Rosa', 'Diaz', '1975-02-11', '', '44113', 'es', :mrn, :now,"
                    " :by, 1)"
                ),
                {"id": patient_id, "mrn": mrn, "now": NOW, "by": by},
            )
        run(
            sa.text(
                "INSERT INTO referrals (id, patient_id, service_id, need, note, status, version,"
                " created_by, created_at, updated_at) VALUES (1, 1, :service, 'food', '',"
                " 'requested', 1, 2, :now, :now)"
            ),
            {"service": service, "now": NOW},
        )
        db.session.commit()
    yield app
    dispose(app)


def test_the_upgrade_puts_everyone_in_one_organization_and_loses_nothing(old_release):
    app = old_release
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        (organization,) = db.session.scalars(sa.select(NetworkOrganization)).all()
        assert (organization.key, organization.kind) == ("default", "both")
        roles = {
            m.user.username: m.role
            for m in db.session.scalars(sa.select(Membership))
            if m.organization_id == organization.id
        }
        assert roles == {"root": "admin", "ann": "case_manager", "ben": "case_manager"}
        admins = db.session.scalars(sa.select(User.username).where(User.instance_admin)).all()
        assert admins == ["root"]
        patients = db.session.scalars(sa.select(Patient)).all()
        assert [p.organization_id for p in patients] == [organization.id] * 2
        assert [p.mrn for p in patients] == ["M-1", "M-2"]
        referral = db.session.get(Referral, 1)
        assert referral.referring_org_id == organization.id and referral.status == "requested"


def test_after_the_upgrade_the_care_team_works_as_before(old_release):
    app = old_release
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    client = app.test_client()
    sign_in(client, "ann")
    assert client.get("/patients/1").status_code == 200
    assert client.get("/patients/2").status_code == 200, "the same organization's patient"
    assert client.get("/referrals/1").status_code == 200
    client.post("/logout")
    sign_in(client, "root")
    assert client.get("/referrals/1").status_code == 200
