"""Upgrading to care plans loses nothing: every need an earlier screening found becomes an
active need of the patient, once per domain, and every referral points at the need it serves."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from referral.careplans.models import Need, NeedEvent
from referral.extensions import db
from referral.referrals.models import Referral
from tests.conftest import BACKENDS, dispose, load_directory, make_app
from tests.integration.test_patients_api import ANA, token_for

FOOD = {"88122-7": "LA28397-0", "88123-5": "LA28397-0"}


@pytest.fixture(params=BACKENDS)
def before_care_plans(request, tmp_path):
    """A database at 0014 with a patient screened twice for food and referred for food and
    for legal help."""
    app = make_app(request.param, tmp_path)
    migrations = app.extensions["migrate"].directory
    with app.app_context():
        db.drop_all()
        upgrade(directory=migrations)
    load_directory(app)
    manager = token_for(app, "maria", "case_manager")
    client = app.test_client()
    patient = client.post("/api/v1/patients", json=ANA, headers=manager).get_json()["id"]
    screening = {"patient_id": patient, "instrument": "hunger-vital-sign", "answers": FOOD}
    for _ in range(2):
        assert client.post("/api/v1/screenings", json=screening, headers=manager).status_code == 201
    with app.app_context():
        service = db.session.execute(sa.text("SELECT id FROM services LIMIT 1")).scalar()
    for need in ("food", "legal"):
        body = {"patient_id": patient, "service_id": service, "need": need, "consent": True}
        assert client.post("/api/v1/referrals", json=body, headers=manager).status_code == 201
    with app.app_context():
        db.session.remove()
        downgrade(directory=migrations, revision="0014")
        assert "needs" not in sa.inspect(db.engine).get_table_names()
    yield app, patient
    dispose(app)


def test_the_upgrade_makes_needs_from_screenings_and_referrals(before_care_plans):
    app, patient = before_care_plans
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        needs = db.session.scalars(sa.select(Need).order_by(Need.id)).all()
        assert [(n.patient_id, n.domain, n.source, n.status) for n in needs] == [
            (patient, "food", "screening", "active"),
            (patient, "legal", "manual", "active"),
        ]
        assert needs[0].z_code == "Z59.41" and needs[0].screening_id is not None
        referrals = db.session.scalars(sa.select(Referral).order_by(Referral.id)).all()
        assert [r.need_id for r in referrals] == [needs[0].id, needs[1].id]
        events = db.session.scalars(sa.select(NeedEvent.need_id)).all()
        assert sorted(events) == [needs[0].id, needs[1].id]
