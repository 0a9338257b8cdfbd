"""FHIR errors: an OperationOutcome naming the element at fault, with the right HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem: its OperationOutcome issue type, what is wrong, and where (FHIRPath)."""

    code: str
    diagnostics: str
    expression: str | None = None
    severity: str = "error"


class FhirError(Exception):
    """A request the FHIR API refuses, answered as an OperationOutcome with `status`."""

    def __init__(self, status: int, issues: list[Issue], headers: dict | None = None) -> None:
        super().__init__("; ".join(issue.diagnostics for issue in issues))
        self.status = status
        self.issues = issues
        self.headers = headers or {}


def fail(status: int, code: str, diagnostics: str, expression: str | None = None) -> FhirError:
    """A FhirError of one issue."""
    return FhirError(status, [Issue(code, diagnostics, expression)])


def not_found(resource_type: str, resource_id: str) -> FhirError:
    """The 404 for a resource that does not exist or that the caller may not see."""
    return fail(404, "not-found", f"There is no {resource_type} with id {resource_id!r}.")


def operation_outcome(issues: list[Issue]) -> dict:
    """An OperationOutcome resource listing `issues`."""
    return {"resourceType": "OperationOutcome", "issue": [issue_json(i) for i in issues]}


def issue_json(issue: Issue) -> dict:
    """One OperationOutcome.issue."""
    found = {"severity": issue.severity, "code": issue.code, "diagnostics": issue.diagnostics}
    return found | {"expression": [issue.expression]} if issue.expression else found
