"""What the care plan section of a patient's page shows: needs, then per need its goals and
what was done (referrals, education, follow-ups) and how it came out; messages; the timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from referral.careplans import codes, rules
from referral.careplans.models import Goal, Intervention, Need
from referral.careplans.operations import patient_goals, patient_interventions, patient_needs
from referral.careplans.timeline import KINDS, Entry, timeline
from referral.directory.needs import NEED_KEYS

TIMELINE_LENGTH = 100


@dataclass(frozen=True)
class NeedPlan:
    """One need with its goals, interventions and referrals."""

    need: Need
    goals: list[Goal]
    interventions: list[Intervention]
    referrals: list

    @property
    def follow_ups_due(self) -> list:
        """The need's open referrals with a follow-up date."""
        return [
            r
            for r in self.referrals
            if r.follow_up_due and not r.outcome and r.status not in CLOSED
        ]


CLOSED = ("completed", "failed", "rejected", "cancelled", "entered-in-error")


@dataclass(frozen=True)
class CarePlan:
    """The care plan section: open and closed needs, the timeline and its filter, the choices
    the forms offer, and a form's errors and input to show again."""

    open: list[NeedPlan]
    closed: list[NeedPlan]
    unlinked: list[Intervention]
    messages: list[Entry]
    timeline: list[Entry]
    kinds: list[str]
    errors: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    form: str = ""
    today: date = field(default_factory=date.today)
    domains: tuple = NEED_KEYS
    all_kinds: tuple = KINDS
    z_codes: dict = field(default_factory=codes.domain_z_codes)
    reasons: tuple = rules.RESOLVE_REASONS
    achievements: tuple = rules.ACHIEVEMENT_STATUSES
    intervention_kinds: tuple = rules.INTERVENTION_KINDS

    def z_display(self, code: str | None) -> str | None:
        """What a Z code stands for."""
        return codes.z_display(code)

    def value(self, form: str, name: str, default=""):
        """A field's input to show again when `form` was the one sent, else the default."""
        return self.values.get(name, default) if self.form == form else default

    def error(self, form: str, name: str) -> str:
        """The error of a field of `form`, if that form was sent and refused."""
        return self.errors.get(name, "") if self.form == form else ""


def care_plan(
    patient, user, referrals: list, kinds: list[str], errors=None, values=None, form=""
) -> CarePlan:
    """The care plan of a patient as the user sees it; `kinds` filters the timeline."""
    goals, interventions = patient_goals(patient.id), patient_interventions(patient.id)
    plans = [
        NeedPlan(
            n,
            [g for g in goals if g.need_id == n.id],
            [i for i in interventions if i.need_id == n.id],
            [r for r in referrals if r.need_id == n.id],
        )
        for n in patient_needs(patient.id)
    ]
    chosen = [k for k in kinds if k in KINDS]
    entries = timeline(patient.id, user, chosen)
    messages = entries if chosen == ["message"] else timeline(patient.id, user, ["message"])
    return CarePlan(
        open=[p for p in plans if p.need.status == "active"],
        closed=[p for p in plans if p.need.status != "active"],
        unlinked=[i for i in interventions if i.need_id is None],
        messages=messages[:10],
        timeline=entries[:TIMELINE_LENGTH],
        kinds=chosen,
        errors=errors or {},
        values=values or {},
        form=form,
    )
