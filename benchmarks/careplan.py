"""What a case manager's day costs with a full database: their worklist and the care-plan page
of their patients, over HTTP from a production server, with 10,000 patients across 10 clinics,
of whom 500 are this case manager's, each with screenings, needs, goals, referrals, follow-ups,
messages, hospital visits and the follow-up tasks they raised.

    python benchmarks/careplan.py [--database-url URL] [--runs 60]

Without --database-url it uses a SQLite file in a temporary folder (PostgreSQL: pass e.g.
postgresql://postgres@127.0.0.1:5432/test; its tables are dropped and made anew). The data is
written once, in bulk (the FHIR benchmark's clinics, patients, screenings and referrals, then
the care-plan records); gunicorn then serves it, and each request is a real HTTP request from a
signed-in browser session (pages) or with the case manager's API token (JSON). Timed: the
worklist page and API, the patient page (the care plan), its timeline API and the printable
plan. The goal is a p95 of at most 100 ms. It prints the median and 95th percentile and asserts
nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import bench_app, machine, production_server, summary

MANAGED = 500
GOAL_MS = 100.0
DOMAINS = ["food", "housing", "transportation", "utilities", "financial"]
Z_CODES = {
    "food": "Z59.41",
    "housing": "Z59.819",
    "transportation": "Z59.82",
    "utilities": "Z59.861",
    "financial": "Z59.869",
}
ACHIEVEMENT = ["in-progress"] * 5 + ["improving", "achieved", "achieved", "not-achieved"]


def fhir_benchmark():
    """The FHIR benchmark's module, whose data this one starts from."""
    path = Path(__file__).resolve().parent / "fhir.py"
    spec = importlib.util.spec_from_file_location("fhir_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(app) -> dict:
    """The FHIR benchmark's data, 500 of its patients given to one case manager, and the
    care-plan records of every patient."""
    from sqlalchemy import insert, select, update

    from referral.auth.models import User
    from referral.careplans.models import Goal, Intervention, Need, NeedEvent
    from referral.extensions import db
    from referral.patients.models import Patient
    from referral.referrals.models import Referral
    from referral.transitions.models import Encounter, TransitionTask
    from referral.worklist.ranking import business_days_after

    found = fhir_benchmark().build(app)
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "cm-clinic-0-0"))
        clinic = db.session.scalar(select(Patient.organization_id).where(Patient.id == 1))
        mine = db.session.scalars(
            select(Patient.id)
            .where(Patient.organization_id == clinic)
            .order_by(Patient.id)
            .limit(MANAGED)
        ).all()
        print(f"giving {len(mine)} patients to {manager.username}", flush=True)
        db.session.execute(
            update(Patient).where(Patient.id.in_(mine)).values(created_by=manager.id)
        )
        db.session.execute(
            update(Referral).where(Referral.patient_id.in_(mine)).values(created_by=manager.id)
        )
        patients = db.session.execute(select(Patient.id, Patient.created_by)).all()
        rng = random.Random(23)
        now = datetime.now(UTC)
        today = now.date()
        needs, events, goals, interventions, visits, tasks = [], [], [], [], [], []
        for patient_id, author in patients:
            for domain in rng.sample(DOMAINS, rng.randint(0, 3)):
                opened = now - timedelta(days=rng.randrange(200))
                resolved = rng.random() < 0.3
                need = {
                    "id": len(needs) + 1,
                    "patient_id": patient_id,
                    "domain": domain,
                    "z_code": Z_CODES[domain],
                    "note": "",
                    "status": "resolved" if resolved else "active",
                    "reason": "got-help" if resolved else None,
                    "source": "manual",
                    "created_by": author,
                    "created_at": opened,
                    "updated_at": opened + timedelta(days=20 if resolved else 0),
                    "resolved_at": opened + timedelta(days=20) if resolved else None,
                    "version": 2 if resolved else 1,
                }
                needs.append(need)
                events.append(need_event(need, None, "active", opened))
                if resolved:
                    events.append(need_event(need, "active", "resolved", need["resolved_at"]))
                for _ in range(rng.randint(0, 2)):
                    goals.append(goal_row(len(goals) + 1, need, rng, today))
                if rng.random() < 0.3:
                    interventions.append(
                        {
                            "patient_id": patient_id,
                            "need_id": need["id"],
                            "kind": "education",
                            "description": "Talked through how to apply for SNAP.",
                            "at": opened + timedelta(hours=1),
                            "created_by": author,
                            "created_at": opened + timedelta(hours=1),
                        }
                    )
            for _ in range(rng.choice([0, 0, 0, 1, 2])):
                at = now - timedelta(days=rng.randrange(60), hours=rng.randrange(24))
                kind = rng.choice(["emergency", "discharge", "admission"])
                visit = {
                    "id": len(visits) + 1,
                    "patient_id": patient_id,
                    "kind": kind,
                    "at": at,
                    "facility": "Metro General Hospital",
                    "diagnosis_codes": [],
                    "source": "manual",
                    "created_by": author,
                    "created_at": at,
                }
                visits.append(visit)
                if kind != "admission":
                    done = rng.random() < 0.6
                    tasks.append(
                        {
                            "patient_id": patient_id,
                            "encounter_id": visit["id"],
                            "due": business_days_after(at.date(), 2),
                            "status": "done" if done else "open",
                            "outcome": "reached" if done else None,
                            "note": "",
                            "closed_by": author if done else None,
                            "closed_at": at + timedelta(days=1) if done else None,
                            "created_at": at,
                        }
                    )
        print(
            f"writing {len(needs):,} needs, {len(goals):,} goals, {len(interventions):,} "
            f"interventions, {len(visits):,} hospital visits and {len(tasks):,} follow-up tasks",
            flush=True,
        )
        db.session.execute(insert(Need), needs)
        db.session.execute(insert(NeedEvent), events)
        db.session.execute(insert(Goal), goals)
        db.session.execute(insert(Intervention), interventions)
        db.session.execute(insert(Encounter), visits)
        db.session.execute(insert(TransitionTask), tasks)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            settle(db)
        return {"token": found["token"], "patients": mine, "username": manager.username}


def need_event(need: dict, from_status, to_status: str, at) -> dict:
    """One row of a need's history."""
    return {
        "need_id": need["id"],
        "from_status": from_status,
        "to_status": to_status,
        "reason": need["reason"] if to_status == "resolved" else None,
        "note": "",
        "user_id": need["created_by"],
        "actor": "case manager",
        "at": at,
    }


def goal_row(goal_id: int, need: dict, rng: random.Random, today: date) -> dict:
    """A goal for a need, due within a few months either side of today."""
    status = rng.choice(ACHIEVEMENT)
    return {
        "id": goal_id,
        "patient_id": need["patient_id"],
        "need_id": need["id"],
        "description": f"Have steady {need['domain']} help",
        "target_date": today + timedelta(days=rng.randrange(-60, 120)),
        "achievement_status": status,
        "lifecycle_status": "completed" if status in ("achieved", "not-achieved") else "active",
        "created_by": need["created_by"],
        "created_at": need["created_at"],
        "updated_at": need["updated_at"],
        "version": 1,
    }


def settle(db) -> None:
    """Move the id sequences past the ids written here, then ANALYZE."""
    from sqlalchemy import text

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in (
            "needs",
            "need_events",
            "goals",
            "interventions",
            "encounters",
            "transition_tasks",
        ):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
        conn.execute(text("ANALYZE"))


def signed_in(base: str, username: str, password: str) -> requests.Session:
    """A browser-like session signed in through the sign-in form."""
    web = requests.Session()
    page = web.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = web.post(
        f"{base}/login",
        data={"csrf_token": token, "username": username, "password": password},
        timeout=30,
    )
    if answer.status_code != 200 or "/login" in answer.url:
        raise SystemExit(f"signing in as {username} failed ({answer.status_code})")
    return web


def timed(web, urls: list[str], marker: str, headers: dict | None = None) -> list[float]:
    """Milliseconds of one GET per address, after one warm-up; stops on any answer but 200
    or one without `marker` (a sign-in page or an empty list would not be what is timed)."""
    web.get(urls[0], headers=headers, timeout=30)
    millis = []
    for url in urls:
        start = time.perf_counter()
        response = web.get(url, headers=headers, timeout=30)
        millis.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200 or marker not in response.text:
            raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")
    return millis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    app, url = bench_app(args.database_url, "careplan-bench-")
    started = time.perf_counter()
    found = build(app)
    print(f"data written in {time.perf_counter() - started:.0f} s", flush=True)
    instance = Path(app.instance_path)
    settings = {
        "SECRET_KEY": "bench",
        "DATABASE_URL": url,
        "INDEX_DIR": app.config["REFERRAL"]["INDEX_DIR"],
        "WORKER_IN_PROCESS": False,
        "SIGN_IN_LIMIT": "1000 per minute",
    }
    (instance / "config.json").write_text(json.dumps(settings))
    password = fhir_benchmark().PASSWORD
    rng = random.Random(5)
    patients = rng.sample(found["patients"], args.runs)
    with production_server(instance, workers=2) as base:
        web = signed_in(base, found["username"], password)
        api = {"Authorization": f"Bearer {found['token']}"}
        rows = [
            ("worklist page", timed(web, [f"{base}/worklist"] * args.runs, "data-row-link")),
            (
                "worklist API",
                timed(web, [f"{base}/api/v1/worklist"] * args.runs, '"patient_id"', api),
            ),
            (
                "care plan page",
                timed(web, [f"{base}/patients/{p}" for p in patients], 'id="care-plan"'),
            ),
            (
                "timeline API",
                timed(
                    web, [f"{base}/api/v1/patients/{p}/timeline" for p in patients], "results", api
                ),
            ),
            (
                "printable plan",
                timed(web, [f"{base}/patients/{p}/plan/print" for p in patients], "<h1"),
            ),
        ]
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"\n{machine()} · {database} · {MANAGED} of 10,000 patients · goal p95 ≤ {GOAL_MS:.0f} ms"
    )
    for label, millis in rows:
        print(summary(label, millis))


if __name__ == "__main__":
    main()
