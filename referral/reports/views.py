"""The reports pages (case managers and admins): aggregates only, no patient is named."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from sqlalchemy import select

from referral.auth.access import require_roles
from referral.directory.models import Organization, Service
from referral.errors import BadInput
from referral.extensions import db
from referral.network.scope import care_org_ids
from referral.patients.models import Patient
from referral.referrals.models import Referral
from referral.reports.careplans import GoalRow, NeedRow, TransitionRow, care_plan_report
from referral.reports.careplans import csv_rows as care_plan_csv_rows
from referral.reports.referrals import (
    COLUMNS,
    ReferralReport,
    ReferralRow,
    ScreenedRow,
    referral_report,
)
from referral.reports.referrals import csv_rows as referral_csv_rows
from referral.reports.screening import ScreeningRow, csv_rows, screening_report
from referral.screening import instrument, instrument_ids
from referral.screenings.models import Screening

bp = Blueprint("reports", __name__, url_prefix="/reports")


def date_range() -> tuple[datetime, datetime]:
    """The `from` and `to` dates asked for (default: the last twelve months)."""
    try:
        end = datetime.fromisoformat(request.args.get("to") or datetime.now().date().isoformat())
        start = datetime.fromisoformat(
            request.args.get("from") or (end - timedelta(days=365)).date().isoformat()
        )
    except ValueError:
        raise BadInput("Dates look like 2026-01-31.", field="from") from None
    return start, end + timedelta(days=1)


def own_patients():
    """The ids of the patients registered with the signed-in user's organizations: reports
    count each organization's own work."""
    return select(Patient.id).where(Patient.organization_id.in_(care_org_ids(current_user)))


def report_for(start: datetime, end: datetime):
    """The screening report over a range."""
    rows = db.session.execute(
        select(Screening.patient_id, Screening.created_at, Screening.positive_domains).where(
            Screening.created_at >= start,
            Screening.created_at < end,
            Screening.patient_id.in_(own_patients()),
        )
    )
    domains = list(dict.fromkeys(d.key for i in instrument_ids() for d in instrument(i).domains))
    return screening_report(
        (ScreeningRow(r.patient_id, r.created_at, tuple(r.positive_domains or ())) for r in rows),
        domains,
    )


@bp.get("/screening")
@require_roles("case_manager", "admin")
def screening():
    """Patients screened and positive rates by domain, as a chart and a table."""
    start, end = date_range()
    report = report_for(start, end)
    return render_template(
        "reports/screening.html",
        report=report,
        start=start.date(),
        end=(end - timedelta(days=1)).date(),
    )


@bp.get("/screening.csv")
@require_roles("case_manager", "admin")
def screening_csv():
    """The same figures as CSV."""
    start, end = date_range()
    return csv_response(csv_rows(report_for(start, end)), "screening-report.csv")


def referral_report_for(start: datetime, end: datetime) -> ReferralReport:
    """The closed-loop report over a range."""
    screened = db.session.execute(
        select(Screening.patient_id, Screening.positive_domains).where(
            Screening.created_at >= start,
            Screening.created_at < end,
            Screening.patient_id.in_(own_patients()),
        )
    )
    made = db.session.execute(
        select(
            Referral.patient_id,
            Referral.need,
            Organization.name,
            Referral.status,
            Referral.outcome,
            Referral.created_at,
            Referral.accepted_at,
            Referral.closed_at,
        )
        .join(Service, Service.id == Referral.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(
            Referral.created_at >= start,
            Referral.created_at < end,
            Referral.patient_id.in_(own_patients()),
        )
    )
    return referral_report(
        (ScreenedRow(r.patient_id, bool(r.positive_domains)) for r in screened),
        (ReferralRow(*row) for row in made),
    )


@bp.get("/referrals")
@require_roles("case_manager", "admin")
def referrals():
    """The funnel from screening to help, the closed-loop rate, times and outcomes."""
    start, end = date_range()
    return render_template(
        "reports/referrals.html",
        report=referral_report_for(start, end),
        columns=COLUMNS,
        start=start.date(),
        end=(end - timedelta(days=1)).date(),
    )


@bp.get("/referrals.csv")
@require_roles("case_manager", "admin")
def referrals_csv():
    """The closed-loop figures as CSV."""
    start, end = date_range()
    return csv_response(referral_csv_rows(referral_report_for(start, end)), "referral-report.csv")


REASONS = (
    ("got-help", "Got help"),
    ("no-longer-needed", "No longer needed"),
    ("patient-declined", "Patient declined"),
)


def care_plan_report_for(start: datetime, end: datetime):
    """Needs, goals and transitions of care over a range, for the organization's patients."""
    from referral.careplans.models import Goal, Need
    from referral.transitions.models import Encounter, TransitionTask

    needs = db.session.execute(
        select(Need.domain, Need.created_at, Need.status, Need.reason, Need.resolved_at).where(
            Need.patient_id.in_(own_patients()),
            Need.status != "entered-in-error",
            (Need.created_at >= start) | (Need.resolved_at >= start),
            (Need.created_at < end) | (Need.resolved_at < end),
        )
    )
    goals = db.session.execute(
        select(Goal.achievement_status, Goal.lifecycle_status, Goal.target_date).where(
            Goal.patient_id.in_(own_patients()),
            Goal.created_at < end,
            Goal.target_date >= start.date(),
        )
    )
    visits = db.session.execute(
        select(Encounter.kind, Encounter.at, TransitionTask.due, TransitionTask.closed_at)
        .join(Encounter, Encounter.id == TransitionTask.encounter_id)
        .where(
            TransitionTask.patient_id.in_(own_patients()),
            Encounter.at >= start,
            Encounter.at < end,
        )
    )
    return care_plan_report(
        (NeedRow(*row) for row in needs),
        (GoalRow(*row) for row in goals),
        (TransitionRow(*row) for row in visits),
        start,
        end,
        datetime.now().date(),
    )


@bp.get("/care-plans")
@require_roles("case_manager", "admin")
def care_plans():
    """Needs opened and resolved by month, goal attainment, and follow-up after hospital
    visits."""
    start, end = date_range()
    return render_template(
        "reports/care_plans.html",
        report=care_plan_report_for(start, end),
        reasons=REASONS,
        start=start.date(),
        end=(end - timedelta(days=1)).date(),
    )


@bp.get("/care-plans.csv")
@require_roles("case_manager", "admin")
def care_plans_csv():
    """The care-plan figures as CSV."""
    start, end = date_range()
    return csv_response(
        care_plan_csv_rows(care_plan_report_for(start, end)), "care-plan-report.csv"
    )


def csv_response(rows: list[list[str]], name: str) -> Response:
    """Rows as a CSV download."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )
