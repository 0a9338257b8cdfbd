"""What the FHIR API costs with a full database: a patient's $everything, a food bank's system
paging through the 1,000 Tasks sent to it, and reading and accepting one Task, with 10,000
patients, about 20,000 screenings and 30,000 referrals across 10 clinics and 5 receiving
organizations.

    python benchmarks/fhir.py [--database-url URL] [--runs 40]

Without --database-url it uses a SQLite file in a temporary folder (PostgreSQL: pass e.g.
postgresql://postgres@127.0.0.1:5432/test; its tables are dropped and made anew). The data is
written once, in bulk; each request then goes through the whole app (token check, scoping,
FHIR shaping, the access log, the commit) in-process. $everything is asked by the patient's case
manager (personal API token) and by the clinic's EHR (a registered client bound to the clinic);
the Task searches, reads and updates by the food bank's own system (a client bound to the food
bank, its search token limited to system/Task.read). Searches follow each page's `next` link
to the end; every page is one timed request. The goal is a p95 of at most 100 ms.
It prints the median and 95th percentile and asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import bench_app, machine, percentile, summary

CLINICS, RECEIVERS, PATIENTS = 10, 4, 10_000
MANAGERS_PER_CLINIC = 5
MAX_SCREENINGS, MAX_REFERRALS = 4, 6  # per patient, drawn evenly: 2 and 3 on average
FOOD_BANK_TASKS = 1_000
HOT_SCREENINGS, HOT_REFERRALS = 5, 20
GOAL_MS = 100.0
EHR_SCOPES = "system/*.read"
FOOD_BANK_SCOPES = "system/Task.*"
PASSWORD = "correct horse battery"
NAMES = ["Diaz", "Smith", "Nguyen", "Johnson", "Garcia", "Brown", "Lee", "Patel", "Kim", "Lopez"]
HUNGRY = {"88122-7": "LA28397-0", "88123-5": "LA28397-0"}
FED = {"88122-7": "LA28398-8", "88123-5": "LA28398-8"}
STATUSES = ["requested", "accepted", "in-progress", "completed", "rejected", "cancelled", "failed"]
WEIGHTS = [30, 15, 15, 25, 5, 5, 5]
HOT_STATUSES = (
    ["completed"] * 6
    + ["requested"] * 5
    + ["accepted"] * 4
    + ["in-progress"] * 2
    + ["rejected", "cancelled", "failed"]
)
REASONS = {
    "rejected": "We do not serve this area.",
    "cancelled": "The patient found help elsewhere.",
    "failed": "We could not reach the patient.",
}
OUTCOMES = {
    "completed": "got-help",
    "rejected": "not-eligible",
    "cancelled": "referred-elsewhere",
    "failed": "couldnt-contact",
}


def build(app) -> dict:
    """Write the organizations, members, patients, screenings and referrals; return what the
    requests need (the case manager's token, the clients' credentials, ids to ask for)."""
    from sqlalchemy import func, insert, select

    from referral.auth.operations import create_user, issue_token
    from referral.directory.importing import import_package
    from referral.directory.models import Organization, Service, ServiceNeed
    from referral.extensions import db
    from referral.fhir.oauth import create_client
    from referral.network.models import ReferralMessage
    from referral.network.operations import create_organization
    from referral.patients.models import Consent, Patient
    from referral.referrals.models import FollowUp, Referral, ReferralEvent
    from referral.screening.scoring import score
    from referral.screenings.models import Screening
    from referral.services import services

    with app.app_context():
        db.drop_all()
        db.create_all()
        import_package(
            Path(__file__).resolve().parents[1] / "resources_db" / "cleveland", services().index
        )
        service_rows = db.session.execute(
            select(Service.id, Service.organization_id).order_by(Service.id)
        ).all()
        needs_of: dict[str, str] = {}
        for service_id, need in db.session.execute(
            select(ServiceNeed.service_id, ServiceNeed.need).order_by(
                ServiceNeed.service_id, ServiceNeed.need
            )
        ):
            needs_of.setdefault(service_id, need)
        pantry = db.session.scalar(
            select(Organization.id)
            .where(Organization.name.ilike("%pantry%") | Organization.name.ilike("%food%"))
            .order_by(Organization.name)
        )
        busiest = db.session.scalars(
            select(Service.organization_id)
            .where(Service.organization_id != pantry)
            .group_by(Service.organization_id)
            .order_by(func.count().desc(), Service.organization_id)
            .limit(RECEIVERS)
        ).all()
        print("writing organizations, members and clients", flush=True)
        clinics = [
            create_organization(f"clinic-{i}", f"Clinic {i}", "referring") for i in range(CLINICS)
        ]
        food_bank = create_organization(
            "food-bank", "Westside Food Bank", "receiving", "intake@food-bank.example", (pantry,)
        )
        receivers = {pantry: food_bank.id}
        for i, listing in enumerate(busiest):
            org = create_organization(f"agency-{i}", f"Agency {i}", "receiving", "", (listing,))
            receivers[listing] = org.id
        managers = {
            org.id: [
                create_user(f"cm-{org.key}-{j}", "case_manager", PASSWORD, "", org)
                for j in range(MANAGERS_PER_CLINIC)
            ]
            for org in clinics
        }
        names = {u.id: u.username for team in managers.values() for u in team}
        ehr, ehr_secret = create_client("Clinic 0 EHR", EHR_SCOPES, clinics[0])
        intake, intake_secret = create_client("Food bank intake", FOOD_BANK_SCOPES, food_bank)
        case_manager = managers[clinics[0].id][0]
        db.session.flush()

        rng = random.Random(11)
        now = datetime.now(UTC)
        print(f"writing {PATIENTS:,} patients of {CLINICS} clinics", flush=True)
        patient_rows = []
        for i in range(PATIENTS):
            org = clinics[i % CLINICS]
            made = now - timedelta(days=90 + rng.randrange(300))
            patient_rows.append(
                {
                    "id": i + 1,
                    "given_name": f"Pat{i}",
                    "family_name": rng.choice(NAMES),
                    "birth_date": date(1950, 1, 1) + timedelta(days=rng.randrange(20000)),
                    "phone": f"+1216555{i:04d}"[:12],
                    "postal_code": "44113",
                    "preferred_language": "en",
                    "mrn": f"M-{i:05d}",
                    "organization_id": org.id,
                    "created_by": case_manager.id if i == 0 else rng.choice(managers[org.id]).id,
                    "created_at": made,
                    "updated_at": made,
                    "version": 1,
                }
            )
        db.session.execute(insert(Patient), patient_rows)
        hot = patient_rows[0]

        scored = {
            "hungry": score("hunger-vital-sign", HUNGRY).to_dict(),
            "fed": score("hunger-vital-sign", FED).to_dict(),
        }
        screening_rows = []
        for patient in patient_rows:
            many = HOT_SCREENINGS if patient is hot else rng.randint(0, MAX_SCREENINGS)
            for _ in range(many):
                kind = "hungry" if rng.random() < 0.7 else "fed"
                screening_rows.append(
                    {
                        "id": len(screening_rows) + 1,
                        "patient_id": patient["id"],
                        "instrument": "hunger-vital-sign",
                        "answers": HUNGRY if kind == "hungry" else FED,
                        "positive_domains": scored[kind]["positive_domains"],
                        "needs": scored[kind]["needs"],
                        "safety_score": scored[kind]["safety_score"],
                        "clinician_review": scored[kind]["clinician_review"],
                        "language": "en",
                        "mode": "staff",
                        "created_by": patient["created_by"],
                        "created_at": patient["created_at"] + timedelta(days=rng.randrange(80)),
                    }
                )
        print(f"writing {len(screening_rows):,} screenings", flush=True)
        db.session.execute(insert(Screening), screening_rows)

        to_food_bank = [s for s in service_rows if s.organization_id == pantry]
        elsewhere = [s for s in service_rows if s.organization_id != pantry]
        slots = [
            patient
            for patient in patient_rows
            for _ in range(HOT_REFERRALS if patient is hot else rng.randint(0, MAX_REFERRALS))
        ]
        hot_services = [
            to_food_bank[0],
            to_food_bank[-1],
            *rng.sample(elsewhere, HOT_REFERRALS - 2),
        ]
        others = [i for i, patient in enumerate(slots) if patient is not hot]
        food_bank_slots = set(rng.sample(others, FOOD_BANK_TASKS - 2))
        referral_rows, event_rows, follow_up_rows, message_rows = [], [], [], []
        hot_seen = 0
        for i, patient in enumerate(slots):
            if patient is hot:
                service, status = hot_services[hot_seen], HOT_STATUSES[hot_seen]
                hot_seen += 1
                chatty = hot_seen % 2 == 0
            else:
                pool = to_food_bank if i in food_bank_slots else elsewhere
                service = rng.choice(pool)
                status = rng.choices(STATUSES, WEIGHTS)[0]
                chatty = rng.random() < 0.2
            referral = referral_row(len(referral_rows) + 1, patient, service, status, rng, now)
            referral["need"] = needs_of.get(service.id, "food")
            referral["receiving_org_id"] = receivers.get(service.organization_id)
            referral_rows.append(referral)
            event_rows += events_of(referral, names[patient["created_by"]])
            if chatty:
                follow_up_rows += follow_ups_of(referral, names[patient["created_by"]], rng)
                if referral["receiving_org_id"] is not None:
                    message_rows += messages_of(referral, names[patient["created_by"]])
        print(
            f"writing {len(referral_rows):,} referrals ({FOOD_BANK_TASKS:,} to the food bank), "
            f"{len(event_rows):,} status changes, {len(follow_up_rows):,} follow-ups, "
            f"{len(message_rows):,} messages",
            flush=True,
        )
        db.session.execute(insert(Referral), referral_rows)
        db.session.execute(insert(ReferralEvent), event_rows)
        db.session.execute(insert(FollowUp), follow_up_rows)
        db.session.execute(insert(ReferralMessage), message_rows)
        first_referral: dict[int, datetime] = {}
        for referral in referral_rows:
            at = first_referral.get(referral["patient_id"], referral["created_at"])
            first_referral[referral["patient_id"]] = min(at, referral["created_at"])
        consent_rows = [
            {
                "patient_id": patient_id,
                "kind": "share",
                "granted": True,
                "recorded_by": patient_rows[patient_id - 1]["created_by"],
                "recorded_at": at - timedelta(minutes=5),
                "note": "",
            }
            for patient_id, at in sorted(first_referral.items())
        ]
        print(f"writing {len(consent_rows):,} sharing consents", flush=True)
        db.session.execute(insert(Consent), consent_rows)

        received = [r for r in referral_rows if r["receiving_org_id"] == food_bank.id]
        requested = [r["id"] for r in received if r["status"] == "requested"]
        found = {
            "token": issue_token(case_manager),
            "ehr": (ehr.client_id, ehr_secret),
            "intake": (intake.client_id, intake_secret),
            "patient": hot["id"],
            "received": len(received),
            "requested": requested,
            "tasks": [r["id"] for r in received[:: max(1, len(received) // 50)]],
        }
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            settle_postgresql(db)
        return found


def referral_row(
    referral_id: int, patient: dict, service, status: str, rng: random.Random, now: datetime
) -> dict:
    """One referral of a patient to a service, created some weeks ago and now at `status`."""
    created = now - timedelta(days=10 + rng.randrange(60), minutes=rng.randrange(1440))
    moved = created + timedelta(days=1 + rng.randrange(3))
    closed = moved + timedelta(days=1 + rng.randrange(5))
    final = status in OUTCOMES
    return {
        "id": referral_id,
        "patient_id": patient["id"],
        "service_id": service.id,
        "note": "Needs help before the end of the month." if rng.random() < 0.3 else "",
        "status": status,
        "outcome": OUTCOMES.get(status),
        "outcome_source": ("organization" if status != "cancelled" else "care-team")
        if final
        else None,
        "accepted_at": moved
        if status in ("accepted", "in-progress", "completed", "failed")
        else None,
        "closed_at": closed if final else None,
        "follow_up_due": None if final else (created + timedelta(days=14)).date(),
        "created_by": patient["created_by"],
        "referring_org_id": patient["organization_id"],
        "created_at": created,
        "updated_at": closed
        if final
        else moved + timedelta(hours=status == "in-progress")
        if status != "requested"
        else created,
        "version": 1 + (status != "requested") + (status in ("in-progress", "completed", "failed")),
    }


def events_of(referral: dict, username: str) -> list[dict]:
    """The status changes that brought a referral to where it is: sent, then the receiver's
    (or, for a cancellation, the referring side's) moves."""
    created, status = referral["created_at"], referral["status"]
    found = [event(referral, None, "requested", "requester", username, created)]
    if status == "requested":
        return found
    moved = referral["accepted_at"] or referral["closed_at"]
    party = "requester" if status == "cancelled" else "receiver"
    actor = username if party == "requester" else "Intake desk"
    if referral["accepted_at"] is not None:
        found.append(event(referral, "requested", "accepted", "receiver", actor, moved))
        if status == "accepted":
            return found
        if status == "in-progress":
            found.append(
                event(referral, "accepted", status, "receiver", actor, referral["updated_at"])
            )
            return found
        found.append(event(referral, "accepted", status, "receiver", actor, referral["closed_at"]))
        return found
    found.append(event(referral, "requested", status, party, actor, referral["closed_at"]))
    return found


def event(referral: dict, from_status, to_status: str, party: str, actor: str, at) -> dict:
    """One row of a referral's history."""
    return {
        "referral_id": referral["id"],
        "from_status": from_status,
        "to_status": to_status,
        "party": party,
        "actor": actor,
        "at": at,
        "reason": REASONS.get(to_status, ""),
        "outcome": OUTCOMES.get(to_status),
    }


def follow_ups_of(referral: dict, username: str, rng: random.Random) -> list[dict]:
    """One or two calls to the patient about a referral."""
    found = []
    for n in range(1 + rng.randrange(2)):
        reached = n > 0 or rng.random() < 0.5
        found.append(
            {
                "referral_id": referral["id"],
                "at": referral["created_at"] + timedelta(days=3 + 4 * n),
                "user_id": referral["created_by"],
                "actor": username,
                "method": "phone",
                "result": "reached" if reached else "no-answer",
                "reached": reached,
                "patient_says": "waiting" if reached else None,
                "note": "",
                "next_due": None,
            }
        )
    return found


def messages_of(referral: dict, username: str) -> list[dict]:
    """A question from the care team and the organization's answer."""
    at = referral["created_at"]
    return [
        {
            "referral_id": referral["id"],
            "author_id": referral["created_by"],
            "author": username,
            "party": "requester",
            "body": "Can she come on Saturday?",
            "at": at + timedelta(hours=2),
            "read_at": at + timedelta(hours=5),
        },
        {
            "referral_id": referral["id"],
            "author_id": None,
            "author": "Intake desk",
            "party": "receiver",
            "body": "Yes, from 9 to noon.",
            "at": at + timedelta(hours=6),
            "read_at": None,
        },
    ]


def settle_postgresql(db) -> None:
    """Move the id sequences past the ids written here, then ANALYZE, as autovacuum would soon
    after a bulk load like this one."""
    from sqlalchemy import text

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("patients", "screenings", "referrals"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        conn.execute(text("ANALYZE"))


def bearer(token: str) -> dict:
    """The Authorization header of a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def client_token(web, credentials: tuple[str, str], scope: str | None = None) -> dict:
    """A client's access token by the client credentials grant, as the bearer header."""
    client_id, secret = credentials
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    answer = web.post("/fhir/token", data=form | ({"scope": scope} if scope else {}))
    if answer.status_code != 200:
        raise SystemExit(f"POST /fhir/token answered {answer.status_code}: {answer.get_data()}")
    return bearer(answer.get_json()["access_token"])


def got(response, url: str) -> dict:
    """The JSON body of a 200 answer; stop the run on anything else."""
    if response.status_code != 200:
        body = response.get_data(as_text=True)[:500]
        raise SystemExit(f"{url} answered {response.status_code}: {body}")
    return response.get_json()


def timed(web, urls: list[str], headers: dict) -> list[float]:
    """Milliseconds of one GET per address, after one warm-up."""
    got(web.get(urls[0], headers=headers), urls[0])
    millis = []
    for url in urls:
        start = time.perf_counter()
        response = web.get(url, headers=headers)
        millis.append((time.perf_counter() - start) * 1000)
        got(response, url)
    return millis


def local(url: str) -> str:
    """A link's path and query, for the in-process client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def walk(web, first: str, headers: dict) -> tuple[list[float], int, list[str]]:
    """Follow a search's `next` links to the end: milliseconds per page, the Bundle's total and
    the ids of every Task met."""
    url, millis, ids, total = first, [], [], 0
    while url:
        start = time.perf_counter()
        response = web.get(url, headers=headers)
        millis.append((time.perf_counter() - start) * 1000)
        body = got(response, url)
        total = body["total"]
        ids += [e["resource"]["id"] for e in body.get("entry", [])]
        url = next((local(link["url"]) for link in body["link"] if link["relation"] == "next"), "")
    return millis, total, ids


def walks(web, first: str, headers: dict, expected: int, runs: int) -> tuple[list[float], int, int]:
    """Walks through one search until about `runs` pages are timed (after a warm-up walk,
    checked to meet every one of the `expected` Tasks once); milliseconds per page, pages per
    walk and the number of walks."""
    pages, total, ids = walk(web, first, headers)
    if total != expected or len(ids) != expected or len(set(ids)) != expected:
        raise SystemExit(
            f"{first}: expected {expected} Tasks, the Bundle says {total} and the pages hold "
            f"{len(ids)} ({len(set(ids))} different)"
        )
    times = max(1, math.ceil(runs / len(pages)))
    millis: list[float] = []
    for _ in range(times):
        millis += walk(web, first, headers)[0]
    return millis, len(pages), times


def accepting(web, task_ids: list[int], headers: dict) -> list[float]:
    """Milliseconds of each PUT that accepts a requested Task (read first for its ETag), after
    one warm-up."""
    millis = []
    for n, task_id in enumerate(task_ids):
        url = f"/fhir/Task/{task_id}"
        read = web.get(url, headers=headers)
        task = got(read, url)
        body = {**task, "status": "accepted"}
        moving = {
            **headers,
            "If-Match": read.headers["ETag"],
            "Content-Type": "application/fhir+json",
        }
        start = time.perf_counter()
        response = web.put(url, json=body, headers=moving)
        elapsed = (time.perf_counter() - start) * 1000
        if got(response, f"PUT {url}")["status"] != "accepted":
            raise SystemExit(f"PUT {url} did not accept the Task")
        if n:
            millis.append(elapsed)
    return millis


def check_everything(bundle: dict, who: str) -> None:
    """Print what $everything holds; stop the run if the screenings or referrals are missing."""
    kinds = Counter(e["resource"]["resourceType"] for e in bundle.get("entry", []))
    listed = ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds))
    print(f"$everything as {who}: {len(bundle.get('entry', []))} entries ({listed})", flush=True)
    if kinds["QuestionnaireResponse"] != HOT_SCREENINGS or kinds["Task"] != HOT_REFERRALS:
        raise SystemExit(
            f"$everything as {who} should hold {HOT_SCREENINGS} QuestionnaireResponses and "
            f"{HOT_REFERRALS} Tasks; it holds {kinds['QuestionnaireResponse']} and {kinds['Task']}"
        )


def goal(millis: list[float]) -> str:
    """The figures of one request kind beside the goal."""
    within = "within" if percentile(millis, 95) <= GOAL_MS else "OVER"
    return f"  [goal p95 <= {GOAL_MS:.0f} ms: {within}]"


def main() -> None:
    """Build the data, then time each request kind and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    app, url = bench_app(args.database_url, "fhir-")
    backend = url.split(":", 1)[0]
    print(f"building the data ({backend})", flush=True)
    built = build(app)
    gc.freeze()  # as create_app does for a served app (the testing flag here leaves it off)
    web = app.test_client()
    print(f"{machine()}; {backend}")

    case_manager = bearer(built["token"])
    ehr = client_token(web, built["ehr"])
    searcher = client_token(web, built["intake"], "system/Task.read")
    writer = client_token(web, built["intake"])

    everything = f"/fhir/Patient/{built['patient']}/$everything"
    for who, headers in (("case manager", case_manager), ("clinic EHR client", ehr)):
        check_everything(got(web.get(everything, headers=headers), everything), who)
        millis = timed(web, [everything] * args.runs, headers)
        print(summary(f"$everything as {who}", millis) + goal(millis), flush=True)

    searches = [
        ("/fhir/Task?_count=50", built["received"]),
        ("/fhir/Task?_count=50&status=requested", len(built["requested"])),
        ("/fhir/Task?_count=200", built["received"]),
        ("/fhir/Task?_count=200&status=requested", len(built["requested"])),
    ]
    for first, expected in searches:
        millis, pages, times = walks(web, first, searcher, expected, args.runs)
        label = f"GET {first}, {expected} Tasks in {pages} pages, per page ({times} walks)"
        print(summary(label, millis) + goal(millis), flush=True)

    tasks = built["tasks"]
    reads = [f"/fhir/Task/{tasks[n % len(tasks)]}" for n in range(args.runs)]
    millis = timed(web, reads, writer)
    print(summary(f"GET /fhir/Task/{{id}} ({len(tasks)} Tasks)", millis) + goal(millis))
    moved = built["requested"][: args.runs + 1]
    millis = accepting(web, moved, writer)
    print(summary("PUT /fhir/Task/{id} with If-Match, accepting", millis) + goal(millis))


if __name__ == "__main__":
    main()
