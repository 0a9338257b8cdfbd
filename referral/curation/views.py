"""The curators' workspace pages: edit with history, verify, de-duplicate, review flags and
update requests; and the pages organizations and staff use to say a listing is wrong."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select

from referral.api.requests import whole_version
from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, check_posted_form
from referral.curation import flags, forms, merging, operations, requests
from referral.curation.editing import (
    location_document,
    organization_document,
    service_document,
)
from referral.curation.models import ServiceFlag, UpdateRequest
from referral.directory import models as m
from referral.directory.needs import NEED_KEYS, NEED_LABELS
from referral.errors import AppError, BadInput, NotFound
from referral.extensions import db
from referral.referrals.links import LinkRefused

bp = Blueprint("workspace", __name__, url_prefix="/curation")
CURATORS = ("curator", "admin")
DOCUMENTS = {
    "service": service_document,
    "organization": organization_document,
    "location": location_document,
}


@bp.get("")
@require_roles(*CURATORS)
def home():
    """What needs a curator today: stale services, open flags, update requests."""
    _, stale = operations.stale_services(limit=1)
    counts = {
        "stale": stale,
        "flags": db.session.scalar(
            select(func.count()).select_from(ServiceFlag).where(ServiceFlag.status == "open")
        ),
        "requests": db.session.scalar(
            select(func.count()).select_from(UpdateRequest).where(UpdateRequest.status == "pending")
        ),
        "services": db.session.scalar(select(func.count()).select_from(m.Service)),
    }
    query = request.args.get("q", "").strip()
    found = find_services(query) if query else []
    return render_template("curation/home.html", counts=counts, query=query, found=found)


def find_services(query: str) -> list[tuple]:
    """Services whose name or organization's name contains the words typed."""
    like = f"%{query.lower()}%"
    rows = db.session.execute(
        select(m.Service.id, m.Service.name, m.Organization.name, m.Service.last_verified)
        .join(m.Organization, m.Organization.id == m.Service.organization_id)
        .where(
            func.lower(m.Service.name).like(like)
            | func.lower(m.Organization.name).like(like)
            | (m.Service.id == query)
        )
        .order_by(m.Service.name)
        .limit(50)
    )
    return [tuple(row) for row in rows]


@bp.route("/<any(service, organization, location):kind>s/<record_id>", methods=["GET", "POST"])
@require_roles(*CURATORS)
def edit(kind: str, record_id: str):
    """Edit a record; every changed field is recorded and searchable at once."""
    record = operations.current_record(kind, record_id)
    document = DOCUMENTS[kind](record)
    problems: dict[str, str] = {}
    if request.method == "POST":
        check_posted_form()
        patch = forms.patch_from_form(request.form, kind, document)
        try:
            version = whole_version(request.form.get("version"))
            edit_ = operations.edit_record(kind, record_id, patch, current_user, version)
        except operations.EditProblems as exc:
            db.session.rollback()
            problems = exc.problems
        except AppError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            changed = ", ".join(c.field for c in edit_.changes) or "nothing"
            flash(f"Saved ({changed} changed).", "info")
            return redirect(url_for("workspace.edit", kind=kind, record_id=record_id))
        document = {**document, **patch}
    return render_template(
        f"curation/edit_{kind}.html",
        kind=kind,
        record=record,
        doc=document,
        version=operations.version_of(kind, record_id),
        problems=problems,
        history=operations.history(kind, record_id)[:200],
        form=ActionForm(),
        **edit_context(kind, record),
    ), 400 if problems else 200


def edit_context(kind: str, record) -> dict:
    """What an edit page shows beside the form."""
    shared = {
        "grid": forms.grid,
        "area_lines": forms.area_lines,
        "days": forms.DAYS,
        "windows": forms.WINDOWS,
    }
    if kind != "service":
        ids = operations.linked_services(kind, record.id)
        return shared | {"services": names_of("service", set(ids))}
    package = operations.load_package("service", record.id)
    settings = current_app.config["REFERRAL"]
    return {
        "organization": package.organizations.get(record.organization_id),
        "locations": list(package.locations.values()),
        "terms": {t: package.taxonomy_terms.get(t) for t in record.taxonomy_term_ids},
        "flags": flags.open_flags(record.id),
        "need_keys": NEED_KEYS,
        "need_labels": NEED_LABELS,
        "derived_needs": [n for n in needs_of(record.id)],
        "request_link": url_for(
            "workspace.propose",
            token=requests.request_token(current_app.secret_key, record.id),
            _external=True,
        ),
        "link_days": settings["LINK_DAYS"],
    } | shared


def needs_of(service_id: str) -> list[str]:
    """The need keys a service is found under now."""
    return list(
        db.session.scalars(select(m.ServiceNeed.need).where(m.ServiceNeed.service_id == service_id))
    )


@bp.post("/services/<service_id>/verify")
@require_roles(*CURATORS)
def verify(service_id: str):
    """Verified, no changes."""
    check_posted_form()
    operations.verify_services([service_id], current_user)
    flash("Marked verified today.", "info")
    return redirect(
        request.form.get("back") or url_for("workspace.edit", kind="service", record_id=service_id)
    )


@bp.get("/stale")
@require_roles(*CURATORS)
def stale():
    """Services not verified in N days, the most referred first, to verify one by one or many."""
    raw = request.args.get("days", str(operations.STALE_DAYS))
    if not raw.isdigit():
        raise BadInput("days must be a whole number.", field="days")
    page = max(whole(request.args.get("page", "1")) or 1, 1)
    rows, total = operations.stale_services(int(raw), 100, (page - 1) * 100)
    return render_template(
        "curation/stale.html",
        rows=rows,
        total=total,
        days=int(raw),
        page=page,
        form=ActionForm(),
    )


@bp.post("/stale/verify")
@require_roles(*CURATORS)
def verify_many():
    """Bulk verify the ticked services."""
    check_posted_form()
    ids = request.form.getlist("service_id")
    if not ids:
        flash("Tick the services you checked first.", "error")
    else:
        count = operations.verify_services(ids, current_user)
        flash(f"Marked {count} service(s) verified today.", "info")
    return redirect(
        url_for("workspace.stale", days=request.form.get("days", operations.STALE_DAYS))
    )


@bp.get("/duplicates")
@require_roles(*CURATORS)
def duplicates():
    """Likely duplicate services or organizations, best first."""
    kind = request.args.get("kind", "service")
    pairs = merging.duplicate_pairs(kind, 100)
    names = names_of(kind, {i for p in pairs for i in (p.left_id, p.right_id)})
    return render_template("curation/duplicates.html", kind=kind, pairs=pairs, names=names)


def whole(text: str | None) -> int | None:
    """A whole number typed or posted, or None."""
    return int(text) if text and text.isdigit() else None


def names_of(kind: str, ids: set[str]) -> dict[str, str]:
    """Record names by id."""
    model = m.Service if kind == "service" else m.Organization
    rows = db.session.execute(select(model.id, model.name).where(model.id.in_(ids))) if ids else []
    return {row.id: row.name for row in rows}


@bp.route("/duplicates/compare", methods=["GET", "POST"])
@require_roles(*CURATORS)
def compare():
    """Two records side by side: merge one into the other, or say they are distinct."""
    kind = request.values.get("kind", "service")
    if kind not in merging.KINDS:
        raise BadInput(f"kind must be one of: {', '.join(merging.KINDS)}.", field="kind")
    left, right = request.values.get("left", ""), request.values.get("right", "")
    if request.method == "POST":
        check_posted_form()
        return decide_pair(kind, left, right)
    docs = {
        side: DOCUMENTS[kind](operations.current_record(kind, i))
        for side, i in (("left", left), ("right", right))
    }
    fields = [f for f in docs["left"] if docs["left"].get(f) != docs["right"].get(f)]
    return render_template(
        "curation/compare.html",
        kind=kind,
        left=left,
        right=right,
        docs=docs,
        fields=fields,
        same=[f for f in docs["left"] if f not in fields],
        versions={
            side: operations.version_of(kind, i) for side, i in (("left", left), ("right", right))
        },
        referrals={side: referral_count(i) for side, i in (("left", left), ("right", right))}
        if kind == "service"
        else {},
        form=ActionForm(),
    )


def referral_count(service_id: str) -> int:
    """How many referrals a service has."""
    from referral.referrals.models import Referral

    return db.session.scalar(
        select(func.count()).select_from(Referral).where(Referral.service_id == service_id)
    )


def decide_pair(kind: str, left: str, right: str):
    """Carry out the curator's decision on a pair."""
    if request.form.get("decision") == "distinct":
        merging.not_duplicates(kind, left, right, current_user)
        flash("Noted: these are different, and will not be offered again.", "info")
        return redirect(url_for("workspace.duplicates", kind=kind))
    keep = request.form.get("keep", "left")
    keep_id, other_id = (left, right) if keep == "left" else (right, left)
    versions = (
        whole(request.form.get(f"version-{keep_id}", "")),
        whole(request.form.get(f"version-{other_id}", "")),
    )
    other_side = "right" if keep == "left" else "left"
    take = [
        f
        for f in request.form
        if request.form.get(f) == other_side
        and not f.startswith(("keep", "version", "decision", "csrf"))
    ]
    try:
        if kind == "organization":
            merging.merge_organizations(keep_id, other_id, versions, current_user)
        else:
            merging.merge_services(keep_id, other_id, take, versions, current_user)
    except AppError as exc:
        db.session.rollback()
        flash(f"Not merged: {exc.message}", "error")
        return redirect(url_for("workspace.compare", kind=kind, left=left, right=right))
    flash("Merged. Referrals and history now sit with the record kept.", "info")
    return redirect(url_for("workspace.edit", kind=kind, record_id=keep_id))


@bp.get("/flags")
@require_roles(*CURATORS)
def flag_queue():
    """Services flagged by referral outcomes and people's reports, with the evidence."""
    return render_template(
        "curation/flags.html",
        rows=flags.flag_queue(),
        labels=flags.STAFF_REASONS,
        form=ActionForm(),
    )


@bp.post("/flags/<int:flag_id>")
@require_roles(*CURATORS)
def review_flag(flag_id: int):
    """Resolve or dismiss a flag."""
    check_posted_form()
    flags.review_flag(
        flag_id, request.form.get("status", ""), request.form.get("note", ""), current_user
    )
    flash("Flag closed.", "info")
    return redirect(url_for("workspace.flag_queue"))


@bp.get("/requests")
@require_roles(*CURATORS)
def request_queue():
    """Changes organizations proposed to their listings."""
    pending = requests.pending_requests()
    return render_template(
        "curation/requests.html",
        pending=pending,
        names=names_of("service", {r.service_id for r in pending}),
    )


@bp.route("/requests/<int:request_id>", methods=["GET", "POST"])
@require_roles(*CURATORS)
def review_request(request_id: int):
    """One request, field by field: what is listed now, what was proposed, approve or reject."""
    request_ = db.session.get(UpdateRequest, request_id)
    if request_ is None:
        raise NotFound("There is no update request with that id.")
    if request.method == "POST":
        check_posted_form()
        decisions = {f: request.form.get(f"decision-{f}", "") for f in request_.proposed}
        try:
            requests.decide_request(request_id, decisions, current_user)
        except AppError as exc:
            db.session.rollback()
            flash(f"Not saved: {exc.message}", "error")
        else:
            flash(f"Request {request_.status}.", "info")
            return redirect(url_for("workspace.request_queue"))
    return render_template(
        "curation/request.html",
        request_=request_,
        name=names_of("service", {request_.service_id}).get(request_.service_id, ""),
        form=ActionForm(),
    )


@bp.route("/propose/<token>", methods=["GET", "POST"])
def propose(token: str):
    """An organization proposes changes to its own listing, without an account."""
    settings = current_app.config["REFERRAL"]
    try:
        service_id = requests.service_of(current_app.secret_key, token, settings["LINK_DAYS"])
        record = operations.current_record("service", service_id)
    except (LinkRefused, AppError) as exc:
        message = str(exc) if isinstance(exc, LinkRefused) else "This listing no longer exists."
        return render_template("referrals/link_refused.html", message=message), 410
    document = service_document(record)
    problems: dict[str, str] = {}
    if request.method == "POST":
        check_posted_form()
        proposed = forms.patch_from_form(request.form, "service", document)
        try:
            requests.submit_request(
                service_id,
                proposed,
                request.form.get("submitted_by", ""),
                request.form.get("contact", ""),
            )
        except operations.EditProblems as exc:
            db.session.rollback()
            problems = exc.problems
        except AppError as exc:
            db.session.rollback()
            problems = {exc.field or "form": exc.message}
        else:
            return render_template("curation/propose_thanks.html", name=record.name)
        document = {**document, **proposed}
    return render_template(
        "curation/propose.html",
        record=record,
        doc=document,
        problems=problems,
        form=ActionForm(),
        grid=forms.grid,
        days=forms.DAYS,
        windows=forms.WINDOWS,
    ), 400 if problems else 200


@bp.post("/report/<service_id>")
@require_roles()
def report(service_id: str):
    """Anyone signed in tells the curators a listing is wrong (phone disconnected, closed, …)."""
    check_posted_form()
    flags.report_problem(
        service_id, request.form.get("reason", ""), request.form.get("note", ""), current_user
    )
    flash("Thank you: a curator will check this listing.", "info")
    return redirect(url_for("web.service_details", service_id=service_id))


@bp.route("/terms", methods=["GET", "POST"])
@require_roles(*CURATORS)
def terms():
    """Find taxonomy terms, the most used first, and rename or describe them."""
    if request.method == "POST":
        check_posted_form()
        term_id = request.form.get("term_id", "")
        data = {f: request.form.get(f, "") for f in operations.TERM_FIELDS}
        try:
            changes = operations.edit_term(term_id, data, current_user)
        except AppError as exc:
            db.session.rollback()
            flash(f"Not saved: {exc.message}", "error")
        else:
            flash(f"Saved ({', '.join(c.field for c in changes) or 'nothing'} changed).", "info")
        return redirect(url_for("workspace.terms", q=request.form.get("q", "")))
    query = request.args.get("q", "").strip()
    return render_template(
        "curation/terms.html", query=query, rows=operations.find_terms(query), form=ActionForm()
    )


@bp.app_template_filter("readable")
def readable(value) -> str:
    """A field's value as a curator reads it: lists as lines, hours as days and times."""
    if isinstance(value, str) and value[:1] in "[{":
        value = parsed(value)
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return "\n".join(item_text(item) for item in value)
    return str(value)


def parsed(text: str):
    """JSON text kept in a change record, as the value it was."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def item_text(item) -> str:
    """One list item in words."""
    if not isinstance(item, dict):
        return str(item)
    if "opens_at" in item:
        day = item.get("weekday")
        name = forms.DAYS[day][:3] if isinstance(day, int) else item.get("byday", "")
        return f"{name} {item.get('opens_at', '')}–{item.get('closes_at', '')}"
    if "number" in item:
        extension = f" ext. {item['extension']}" if item.get("extension") else ""
        return f"{item['number']}{extension} {item.get('description') or ''}".strip()
    if "kind" in item:
        return item.get("name") or item.get("value") or item["kind"]
    parts = (item.get(k) for k in ("address_1", "city", "state_province", "postal_code"))
    words = [p for p in parts if p] or [str(v) for v in item.values() if v]
    return ", ".join(words)
