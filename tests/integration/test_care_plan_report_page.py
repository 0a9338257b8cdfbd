"""The care plan report as a case manager reads it: needs opened and resolved by month (and
why), goal attainment, and follow-up after hospital visits, on the page and in the CSV, for
the organization's own patients only and over the dates asked for; refused to other roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from referral.extensions import db
from referral.network.operations import create_organization
from tests.conftest import sign_in
from tests.integration.network import PATIENT, SCREENING, member

SOON = (date.today() + timedelta(days=30)).isoformat()


class Tables(HTMLParser):
    """The text of every cell of every table of a page, row by row, by the table's classes;
    and the page's text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.words: list[str] = []
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.current = self.tables.setdefault(dict(attrs).get("class", ""), [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.current[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        self.words.append(data)
        if self.cell is not None:
            self.cell.append(data)

    def table(self, name: str) -> list[list[str]]:
        """The rows of the table with class `name` (with its header row)."""
        [rows] = [rows for classes, rows in self.tables.items() if name in classes.split()]
        return rows

    def figures(self) -> str:
        """The summary line under the header, with its spacing made single."""
        text = " ".join("".join(self.words).split())
        return re.search(r"\d+ needs? opened · .*? in time \S+", text).group(0)


def reported(client, query: str = "") -> Tables:
    response = client.get(f"/reports/care-plans{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return Tables(response.get_data(as_text=True))


def csv_of(client, query: str = "") -> list[list[str]]:
    response = client.get(f"/reports/care-plans.csv{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=care-plan-report.csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def clinic(app):
    """Clinic A's case manager Ann with a patient whose care plan has three needs (food from a
    screening, housing resolved because she got help, transportation), one entered in error,
    four goals (achieved, not achieved, in progress, entered in error), a discharge 36 hours
    ago whose follow-up is closed, an ED visit today still to follow up, and an admission;
    Clinic B's Ben with a patient, a need and a closed follow-up of his own."""
    with app.app_context():
        create_organization("clinic-a", "Clinic A", "referring")
        create_organization("clinic-b", "Clinic B", "referring")
        create_organization("food-bank", "Food Bank", "receiving")
        db.session.commit()
    api = app.test_client()
    n = SimpleNamespace(app=app, api=api)
    n.ann = member(app, "ann", "case_manager", "clinic-a")
    n.ben = member(app, "ben", "case_manager", "clinic-b")

    def call(method, path, who, body):
        answer = api.open(path, method=method, json=body, headers=who)
        assert answer.status_code in (200, 201), (path, answer.get_json())
        return answer.get_json()

    def patient(who, mrn):
        made = call("POST", "/api/v1/patients", who, {**PATIENT, "mrn": mrn})
        call("POST", "/api/v1/screenings", who, {**SCREENING, "patient_id": made["id"]})
        return made["id"]

    def need(who, pid, domain):
        return call("POST", f"/api/v1/patients/{pid}/needs", who, {"domain": domain})["id"]

    def goal(who, pid, need_id, words, **change):
        body = {"need_id": need_id, "description": words, "target_date": SOON}
        made = call("POST", f"/api/v1/patients/{pid}/goals", who, body)
        if change:
            call("PATCH", f"/api/v1/goals/{made['id']}", who, change)

    def visit(who, pid, kind, hours_ago):
        at = (datetime.now(UTC) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"patient_id": pid, "kind": kind, "at": at, "facility": "Mercy Hospital"}
        return call("POST", "/api/v1/encounters", who, body)["task"]

    rosa = patient(n.ann, "A-1")
    [screened] = call("GET", f"/api/v1/patients/{rosa}/needs", n.ann, None)["results"]
    food = screened["id"]
    assert screened["domain"] == "food" and screened["source"] == "screening"
    housing = need(n.ann, rosa, "housing")
    transport = need(n.ann, rosa, "transportation")
    mistake = need(n.ann, rosa, "utilities")
    goal(n.ann, rosa, food, "Food in the fridge", achievement_status="achieved")
    goal(n.ann, rosa, housing, "A lease in her name", achievement_status="not-achieved")
    goal(n.ann, rosa, transport, "A bus pass")
    goal(n.ann, rosa, transport, "Typed twice", lifecycle_status="entered-in-error")
    call("PATCH", f"/api/v1/needs/{housing}", n.ann, {"status": "resolved", "reason": "got-help"})
    call("PATCH", f"/api/v1/needs/{mistake}", n.ann, {"status": "entered-in-error"})
    discharge = visit(n.ann, rosa, "discharge", hours_ago=36)
    assert discharge is not None, "a discharge of a patient with open needs asks for a follow-up"
    call("POST", f"/api/v1/transitions/{discharge['id']}/close", n.ann, {"outcome": "reached"})
    assert visit(n.ann, rosa, "emergency", hours_ago=1) is not None
    assert visit(n.ann, rosa, "admission", hours_ago=2) is None, "no follow-up after admission"

    other = patient(n.ben, "B-1")
    need(n.ben, other, "legal")
    theirs = visit(n.ben, other, "discharge", hours_ago=12)
    call("POST", f"/api/v1/transitions/{theirs['id']}/close", n.ben, {"outcome": "not-needed"})
    n.month = datetime.now(UTC).strftime("%Y-%m")
    return n


def test_the_page_shows_needs_by_month_goal_attainment_and_follow_up(clinic, client):
    sign_in(client, "ann")
    page = reported(client)
    assert page.figures() == (
        "3 needs opened · 1 resolved · goals achieved 50% (1 of 2 judged) · "
        "hospital visits followed up in time 100%"
    )
    assert page.table("needs-by-month") == [
        ["Month", "Opened", "Resolved", "Got help", "No longer needed", "Patient declined"],
        [clinic.month, "3", "1", "1", "", ""],
    ]
    [head, *goals] = page.table("goals")
    assert head == ["Achievement", "Goals"]
    assert sorted(goals) == [["achieved", "1"], ["in progress", "1"], ["not achieved", "1"]]
    assert page.table("transitions") == [
        ["Visits that asked for a follow-up", "2"],
        ["Followed up", "1"],
        ["Followed up by the due date", "1 (100%)"],
        ["Median days from the visit to the follow-up", "1.5"],
    ]
    html = client.get("/reports/care-plans").get_data(as_text=True)
    today = date.today().isoformat()
    assert f'href="/reports/care-plans.csv?from={(date.today() - timedelta(days=365))}' in html
    assert f"to={today}" in html


def test_the_csv_has_the_same_figures(clinic, client):
    sign_in(client, "ann")
    header = ["Month", "Needs opened", "Needs resolved"]
    assert csv_of(client) == [
        [*header, "Got help", "No longer needed", "Patient declined"],
        [clinic.month, "3", "1", "1", "0", "0"],
        ["all", "3", "1", "1", "0", "0"],
        [],
        ["Goals", "Judged", "Achieved", "Attainment"],
        ["3", "2", "1", "50%"],
        [],
        ["Hospital visits", "Followed up", "In time", "Median days to follow-up"],
        ["2", "1", "1", "1.5"],
    ]


def test_each_organization_sees_its_own_figures(clinic, client):
    sign_in(client, "ben")
    page = reported(client)
    assert page.figures() == (
        "2 needs opened · 0 resolved · goals achieved — (0 of 0 judged) · "
        "hospital visits followed up in time 100%"
    )
    assert page.table("needs-by-month")[1] == [clinic.month, "2", "0", "", "", ""]
    rows = csv_of(client)
    assert rows[2] == ["all", "2", "0", "0", "0", "0"]
    assert rows[5] == ["0", "0", "0", ""]
    assert rows[8][:3] == ["1", "1", "1"]


def test_a_range_without_the_work_shows_nothing_and_bad_dates_are_refused(clinic, client):
    sign_in(client, "ann")
    query = "?from=2020-01-01&to=2020-12-31"
    html = client.get(f"/reports/care-plans{query}").get_data(as_text=True)
    assert "No needs opened or resolved in this period." in html
    assert "No goals set for patients seen in this period." in html
    assert "No hospital or emergency visits asked for a follow-up in this period." in html
    assert 'value="2020-01-01"' in html and 'value="2020-12-31"' in html
    rows = csv_of(client, query)
    assert rows[1] == ["all", "0", "0", "0", "0", "0"]
    assert rows[4] == ["0", "0", "0", ""] and rows[7] == ["0", "0", "0", ""]
    assert client.get("/reports/care-plans?from=last-week").status_code == 400
    assert client.get("/reports/care-plans.csv?to=31/12/2026").status_code == 400


@pytest.mark.parametrize(
    ("role", "where"), [("staff", "clinic-a"), ("curator", "clinic-a"), ("receiver", "food-bank")]
)
def test_other_roles_are_refused_the_report(clinic, client, role, where):
    member(clinic.app, f"no-{role}", role, where)
    sign_in(client, f"no-{role}")
    for path in ("/reports/care-plans", "/reports/care-plans.csv"):
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert "Your role does not allow this." in refused.get_data(as_text=True)
        assert "needs opened" not in refused.get_data(as_text=True)


def test_signing_in_is_asked_first(clinic, client):
    for path in ("/reports/care-plans", "/reports/care-plans.csv"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login?next=" in answer.headers["Location"], path
