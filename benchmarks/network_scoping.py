"""What scoping by organization costs: the case manager's worklists, patient search and the
receiving inbox with 10,000 patients and 50,000 referrals across 20 organizations.

    python benchmarks/network_scoping.py [--database-url URL] [--runs 40]

Without --database-url it uses a SQLite file in a temporary folder (PostgreSQL: pass e.g.
postgresql://postgres@127.0.0.1:5432/test; its tables are dropped and made anew). The data is
written once, in bulk; each request then goes through the whole app (authentication, scoping,
serialization) in-process. Lists answer a page (50) at a time with their totals.
It prints the median and 95th percentile and asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import bench_app, machine, summary

ORGS, PATIENTS, REFERRALS = 20, 10_000, 50_000
MANAGERS_PER_ORG = 5
NAMES = ["Diaz", "Smith", "Nguyen", "Johnson", "Garcia", "Brown", "Lee", "Patel", "Kim", "Lopez"]


def build(app) -> dict:
    """Write the organizations, members, patients and referrals; return tokens to ask with."""
    from sqlalchemy import insert, select, text

    from referral.auth.operations import create_user, issue_token
    from referral.directory.importing import import_package
    from referral.directory.models import Service
    from referral.extensions import db
    from referral.network.operations import claim, create_organization
    from referral.patients.models import Patient
    from referral.referrals.models import Referral
    from referral.services import services

    with app.app_context():
        db.drop_all()
        db.create_all()
        import_package(
            Path(__file__).resolve().parents[1] / "resources_db" / "cleveland", services().index
        )
        service_rows = db.session.execute(select(Service.id, Service.organization_id)).all()
        orgs = [create_organization(f"clinic-{i}", f"Clinic {i}", "both") for i in range(ORGS)]
        claim(orgs[0], service_rows[0].organization_id)
        managers = {
            org.id: [
                create_user(f"cm-{org.key}-{j}", "case_manager", "correct horse battery", "", org)
                for j in range(MANAGERS_PER_ORG)
            ]
            for org in orgs
        }
        receiver = create_user("fb", "receiver", "correct horse battery", "", orgs[0])
        admin = create_user("org-admin", "admin", "correct horse battery", "", orgs[1])
        db.session.flush()
        rng = random.Random(7)
        now = datetime.now(UTC)
        patient_rows = []
        for i in range(PATIENTS):
            org = orgs[i % ORGS]
            patient_rows.append(
                {
                    "id": i + 1,
                    "given_name": f"Pat{i}",
                    "family_name": rng.choice(NAMES),
                    "birth_date": date(1950, 1, 1) + timedelta(days=rng.randrange(20000)),
                    "phone": f"+1216555{i:04d}"[:12],
                    "postal_code": "44113",
                    "preferred_language": "en",
                    "organization_id": org.id,
                    "created_by": rng.choice(managers[org.id]).id,
                    "created_at": now,
                    "version": 1,
                }
            )
        db.session.execute(insert(Patient), patient_rows)
        referral_rows = []
        for i in range(REFERRALS):
            patient = patient_rows[i % PATIENTS]
            service = rng.choice(service_rows)
            referral_rows.append(
                {
                    "patient_id": patient["id"],
                    "service_id": service.id,
                    "need": "food",
                    "note": "",
                    "status": rng.choice(["requested", "accepted", "in-progress", "completed"]),
                    "follow_up_due": date.today() + timedelta(days=rng.randrange(-30, 30)),
                    "created_by": patient["created_by"],
                    "referring_org_id": patient["organization_id"],
                    "receiving_org_id": orgs[0].id
                    if service.organization_id == service_rows[0].organization_id
                    else None,
                    "created_at": now - timedelta(days=rng.randrange(60)),
                    "updated_at": now - timedelta(days=rng.randrange(30)),
                    "version": 1,
                }
            )
        db.session.execute(insert(Referral), referral_rows)
        tokens = {
            "case manager": issue_token(managers[orgs[3].id][0]),
            "organization admin": issue_token(admin),
            "receiver": issue_token(receiver),
        }
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does to a server's tables soon after a bulk load like this one.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        return tokens


def timed(client, url: str, token: str, runs: int) -> list[float]:
    """Milliseconds per request, after one warm-up."""
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=headers).status_code == 200, url
    millis = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        millis.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return millis


def main() -> None:
    """Build the data, then time each request kind and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    app, url = bench_app(args.database_url, "scoping-")
    print(
        f"writing {ORGS} organizations, {PATIENTS:,} patients, {REFERRALS:,} referrals", flush=True
    )
    tokens = build(app)
    client = app.test_client()
    backend = url.split(":", 1)[0]
    print(f"{machine()}; {backend}")
    checks = [
        ("case manager", "worklist due (API)", "/api/v1/referrals?worklist=due"),
        ("case manager", "worklist mine (page)", "/referrals?list=mine"),
        ("case manager", "patient search 'diaz'", "/api/v1/patients?q=diaz"),
        ("case manager", "patient search page", "/patients?q=pat12"),
        ("organization admin", "admin's referrals due (API)", "/api/v1/referrals?worklist=due"),
        (
            "organization admin",
            "admin's due list, 21st page",
            "/api/v1/referrals?worklist=due&offset=1000",
        ),
        ("receiver", "receiving inbox, new", "/api/v1/inbox?status=new"),
        ("receiver", "receiving inbox page", "/inbox?view=waiting"),
    ]
    for who, label, path in checks:
        print(summary(f"{label} as {who}", timed(client, path, tokens[who], args.runs)), flush=True)


if __name__ == "__main__":
    main()
