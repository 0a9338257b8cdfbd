"""What a patient's own answers mean as follow-up rules, and the patient link setting."""

from datetime import date

import pytest

from referral.config import ConfigError, check, defaults
from referral.referrals.followups import COULDNT_REACH, STILL_NEED_HELP, plan_follow_up

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize("says", [STILL_NEED_HELP, COULDNT_REACH])
def test_still_needing_help_is_no_outcome_and_due_when_asked(says):
    data = {"method": "web", "result": "reached", "patient_says": says, "next_due": TODAY}
    plan = plan_follow_up(data, TODAY, 7)
    assert plan.outcome is None and plan.next_due == TODAY and plan.patient_says == says


def test_got_help_on_the_web_is_the_outcome():
    plan = plan_follow_up(
        {"method": "web", "result": "reached", "patient_says": "got-help"}, TODAY, 7
    )
    assert plan.outcome is not None and plan.outcome.value == "got-help" and plan.next_due is None


@pytest.mark.parametrize("days", [0, 366])
def test_patient_link_days_outside_a_year_are_refused(tmp_path, days):
    settings = defaults(str(tmp_path)) | {"PATIENT_LINK_DAYS": days, "SECRET_KEY": "k"}
    with pytest.raises(ConfigError, match="REFERRAL_PATIENT_LINK_DAYS"):
        check(settings)


def test_patient_links_work_thirty_days_by_default(tmp_path):
    assert defaults(str(tmp_path))["PATIENT_LINK_DAYS"] == 30
