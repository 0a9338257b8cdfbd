"""How fast ADT messages are stored and matched: 10,000 HL7 v2 messages (admits, discharges
and ED registrations) for 2,000 patients, a tenth with MRNs no patient holds, imported the
way `referral adt import` does.

    python benchmarks/adt.py [--database-url URL] [--count 10000]

Without --database-url it uses a SQLite file in a temporary folder (PostgreSQL: pass e.g.
postgresql://postgres@127.0.0.1:5432/test; its tables are dropped and made anew). It prints
the total seconds and messages per second, the median and p95 time of a chunk of 500, and
the counts of each result; it asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import bench_app, machine, summary

PATIENTS = 2000
EVENTS = (("A01", "I"), ("A03", "I"), ("A04", "E"))


def seed(app) -> None:
    """An organization and its patients, MRN M0 … M1999, half of them screened with a need
    (a food need, active)."""
    from referral.careplans.models import Need
    from referral.extensions import db
    from referral.network.operations import create_organization
    from referral.patients.models import Patient
    from referral.screenings.models import Screening

    with app.app_context():
        db.drop_all()
        db.create_all()
        org = create_organization("clinic", "Clinic", "referring")
        db.session.flush()
        patients = [
            Patient(
                given_name=f"P{n}",
                family_name="Bench",
                birth_date=date(1970, 1, 1) + timedelta(days=n),
                mrn=f"M{n}",
                organization_id=org.id,
            )
            for n in range(PATIENTS)
        ]
        db.session.add_all(patients)
        db.session.flush()
        screenings = [
            Screening(patient_id=p.id, instrument="hunger-vital-sign", answers={}, needs=["food"])
            for p in patients[::2]
        ]
        db.session.add_all(screenings)
        db.session.flush()
        db.session.add_all(
            Need(patient_id=s.patient_id, domain="food", source="screening", screening_id=s.id)
            for s in screenings
        )
        db.session.commit()


def message(n: int, rng: random.Random) -> str:
    """One ADT message; one in ten names an MRN no patient holds."""
    event, patient_class = rng.choice(EVENTS)
    mrn = f"M{rng.randrange(PATIENTS)}" if rng.random() > 0.1 else f"X{n}"
    at = (datetime(2026, 11, 1) + timedelta(minutes=7 * n)).strftime("%Y%m%d%H%M%S")
    return "\r".join(
        [
            f"MSH|^~\\&|EPIC|JMH|REF|CLINIC|{at}||ADT^{event}|B{n}|P|2.5",
            f"EVN|{event}|{at}",
            f"PID|1||{n}^^^JMH^PI~{mrn}^^^JMH^MR||Bench^P{n}||19700101|F|||1 Main St^^Miami^FL",
            f"PV1|1|{patient_class}|4W^401^A^Jackson Memorial||||1234^Smith^John|||MED",
            "DG1|1||Z59.0^Homelessness^I10",
        ]
    )


def main() -> None:
    """Generate the messages, import them and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--count", type=int, default=10000)
    args = parser.parse_args()
    from sqlalchemy import func, select

    from referral.extensions import db
    from referral.transitions.importing import import_messages
    from referral.transitions.models import TransitionTask

    app, url = bench_app(args.database_url, "adt-")
    seed(app)
    rng = random.Random(14)
    feed = [(message(n, rng), "bench.hl7") for n in range(args.count)]
    print(f"{machine()}; {url.split(':', 1)[0]}", flush=True)
    chunks, last = [], [time.perf_counter()]

    def timed(counts) -> None:
        now = time.perf_counter()
        chunks.append((now - last[0]) * 1000)
        last[0] = now

    with app.app_context():
        started = time.perf_counter()
        counts = import_messages(feed, app.config["REFERRAL"], progress=timed)
        took = time.perf_counter() - started
        tasks = db.session.scalar(select(func.count()).select_from(TransitionTask))
    print(f"{args.count:,} messages in {took:.1f} s: {args.count / took:,.0f} messages/s")
    print(summary("chunk of 500 (parse, match, store, commit)", chunks))
    print(", ".join(f"{counts[k]} {k}" for k in counts) + f"; {tasks} follow-up tasks")


if __name__ == "__main__":
    main()
