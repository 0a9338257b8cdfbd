"""The curators' pages: the words search understands (concepts)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, check_posted_form
from referral.curation.concepts import (
    ConceptError,
    concept_rows,
    find_concept,
    restore_default,
    save_concept,
)
from referral.curation.editing import FieldChange
from referral.curation.operations import record_changes
from referral.directory.needs import NEED_KEYS, NEED_LABELS
from referral.errors import NotFound

bp = Blueprint("curation", __name__, url_prefix="/curation")
CURATORS = ("curator", "admin")


@bp.get("/concepts")
@require_roles(*CURATORS)
def concepts():
    """Every concept search understands, filterable by any phrase, word or need."""
    wanted = request.args.get("filter", "").strip().lower()
    rows = [r for r in concept_rows() if not wanted or wanted in searchable(r.concept)]
    return render_template("curation/concepts.html", rows=rows, wanted=wanted, labels=NEED_LABELS)


def searchable(concept) -> str:
    """All the text of a concept, lower-cased, for the filter box."""
    return " ".join([concept.id, *concept.phrases, *concept.terms, *concept.needs]).lower()


@bp.route("/concepts/new", methods=["GET", "POST"])
@require_roles(*CURATORS)
def new_concept():
    """Add a concept of the curators' own."""
    return edit_form(None)


@bp.route("/concepts/<concept_id>", methods=["GET", "POST"])
@require_roles(*CURATORS)
def edit_concept(concept_id: str):
    """Change the phrases, listing words and needs of a concept."""
    row = find_concept(concept_id)
    if row is None:
        raise NotFound("There is no concept with that id.")
    return edit_form(row)


def edit_form(row):
    """Show the form, or save it and return to the list when it is valid."""
    form = ActionForm()
    values = form_values(row)
    problems: dict[str, str] = {}
    if request.method == "POST":
        check_posted_form()
        values = posted_values(row)
        try:
            saved = save_concept(**values, user_id=current_user.id, new=row is None)
        except ConceptError as exc:
            problems = exc.problems
        else:
            audit_concept(form_values(row), values, saved.id, "create" if row is None else "update")
            flash(f"Saved “{values['concept_id']}”. Searches use it within a few seconds.", "info")
            return redirect(url_for("curation.concepts", filter=values["concept_id"]))
    status = 422 if problems else 200
    return render_template(
        "curation/concept.html",
        form=form,
        row=row,
        values=values,
        problems=problems,
        needs=NEED_KEYS,
        labels=NEED_LABELS,
    ), status


def audit_concept(before: dict, after: dict, concept_id: str, action: str) -> None:
    """Record each changed part of a concept, as every directory edit is recorded."""
    keys = ("phrases", "terms", "needs", "enabled")
    changes = [
        FieldChange(key, before[key], clean(after[key]))
        for key in keys
        if clean(after[key]) != before[key]
    ]
    record_changes("search_concept", concept_id, action, changes, current_user)


def clean(value):
    """A posted list without blank lines (other values as they are)."""
    if isinstance(value, list):
        return [v.strip() for v in value if v and v.strip()]
    return value


def form_values(row) -> dict:
    """The form's starting values."""
    if row is None:
        return {"concept_id": "", "phrases": [], "terms": [], "needs": [], "enabled": True}
    c = row.concept
    return {
        "concept_id": c.id,
        "phrases": list(c.phrases),
        "terms": list(c.terms),
        "needs": list(c.needs),
        "enabled": row.enabled,
    }


def posted_values(row) -> dict:
    """The values the curator sent."""
    return {
        "concept_id": row.concept.id if row else request.form.get("concept_id", "").strip(),
        "phrases": request.form.get("phrases", "").splitlines(),
        "terms": request.form.get("terms", "").splitlines(),
        "needs": request.form.getlist("needs"),
        "enabled": request.form.get("enabled") == "1",
    }


@bp.post("/concepts/<concept_id>/restore")
@require_roles(*CURATORS)
def restore(concept_id: str):
    """Go back to the shipped version of a concept."""
    check_posted_form()
    if restore_default(concept_id):
        change = FieldChange("curator_version", "yes", "")
        record_changes("search_concept", concept_id, "restore", [change], current_user)
        flash(f"“{concept_id}” is back to the shipped version.", "info")
    return redirect(url_for("curation.concepts", filter=concept_id))
