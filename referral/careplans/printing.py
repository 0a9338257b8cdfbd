"""The care plan the patient takes home, in their language: what they need help with in plain
words (no codes), their goals, and the services they were referred to with how to reach them.

Like the slip, it never shows a safety need or a referral for one, screening answers or notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _

from referral.careplans.operations import domain_label, patient_goals, patient_needs
from referral.referrals.operations import list_referrals
from referral.referrals.slip import NEVER_PRINTED, SlipPage, build_slip, long_date, slip_language


@dataclass(frozen=True)
class PlanGoal:
    """A goal as the patient reads it."""

    need: str
    description: str
    by: str
    status: str
    achieved: bool


@dataclass(frozen=True)
class PrintedPlan:
    """Everything on the printed plan, its words already in the patient's language."""

    language: str
    labels: dict
    needs: list[str]
    goals: list[PlanGoal]
    slip: SlipPage


def achievement_words() -> dict[str, str]:
    """Each achievement status in the current locale's plain words."""
    return {
        "in-progress": _("Working on it"),
        "improving": _("Getting better"),
        "worsening": _("Getting worse"),
        "no-change": _("No change yet"),
        "achieved": _("Done"),
        "sustaining": _("Keeping it up"),
        "not-achieved": _("Not reached"),
        "no-progress": _("No progress yet"),
        "not-attainable": _("Not possible now"),
    }


def need_words() -> dict[str, str]:
    """What each need means for the patient, in the current locale's plain words."""
    return {
        "food": _("Having enough food"),
        "housing": _("A safe, steady place to live"),
        "transportation": _("Rides to appointments and errands"),
        "utilities": _("Keeping the lights, heat and water on"),
        "financial": _("Paying for the basics"),
        "employment": _("Finding or keeping a job"),
        "health": _("Health care"),
        "legal": _("Legal help"),
        "goods": _("Clothing and household goods"),
        "childcare": _("Child care"),
        "education": _("Classes and learning"),
    }


def plan_labels() -> dict[str, str]:
    """The plan's fixed words in the current locale."""
    return {
        "title": _("My care plan"),
        "prepared_for": _("Prepared for %(name)s on %(date)s", name="{name}", date="{date}"),
        "needs": _("What I want help with"),
        "goals": _("My goals"),
        "by": _("By"),
        "services": _("Where I was referred"),
        "no_goals": _("No goals written down yet."),
        "no_services": _("No referrals yet."),
    }


def printable_plan(patient, user, asked: str | None) -> PrintedPlan:
    """The patient's plan to print, in the language asked for or else theirs."""
    language = slip_language(asked, patient.preferred_language)
    needs = [n for n in patient_needs(patient.id) if n.domain not in NEVER_PRINTED]
    active = {n.id: n for n in needs if n.status == "active"}
    referrals, _total = list_referrals(user, None, None, patient.id)
    sent = [
        r
        for r in referrals
        if r.status not in ("cancelled", "entered-in-error") and r.need_id in active
    ]
    with force_locale(language):
        words, plain = achievement_words(), need_words()
        goals = [
            PlanGoal(
                plain.get(active[g.need_id].domain)
                or domain_label(active[g.need_id].domain, language),
                g.description,
                long_date(g.target_date, language),
                words.get(g.achievement_status, g.achievement_status),
                g.achievement_status == "achieved",
            )
            for g in patient_goals(patient.id)
            if g.need_id in active and g.lifecycle_status in ("active", "completed")
        ]
        labels = plan_labels()
        labels["prepared_for"] = labels["prepared_for"].replace("{name}", patient.given_name)
        labels["prepared_for"] = labels["prepared_for"].replace(
            "{date}", long_date(date.today(), language)
        )
        needs_shown = [
            plain.get(n.domain) or domain_label(n.domain, language) for n in active.values()
        ]
    slip = build_slip(sent, patient, user, language)
    return PrintedPlan(language, labels, needs_shown, goals, slip)
