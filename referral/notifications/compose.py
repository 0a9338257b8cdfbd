"""The words of each notification. Emails to staff say what happened and link to it, and
carry no screening answers and no patient names (those stay behind the link). Texts to
patients are in their language (English or Spanish)."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from referral.directory.needs import NEED_LABELS
from referral.referrals.links import link_token
from referral.referrals.slip import slip_language


def link(endpoint: str, **values) -> str:
    """An absolute link into the app, at its public address when one is set."""
    base = current_app.config["REFERRAL"]["PUBLIC_URL"]
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def receiving_link(referral, organization, has_staff: bool) -> tuple[str, bool]:
    """Where the receiving organization answers: its inbox when it has staff accounts (or
    signed links are off for it), else the signed link; and whether it is the signed link."""
    if has_staff or not organization.link_enabled:
        return link("network.received", referral_id=referral.id), False
    token = link_token(current_app.secret_key, referral.id)
    return link("receiver.answer", token=token), True


def need_words(need: str) -> str:
    """A need as staff read it."""
    label = NEED_LABELS.get(need)
    return label["en"] if isinstance(label, dict) else need


def referral_arrived(referral, service_name: str, sender: str, url: str, signed: bool):
    """The email announcing a new referral to the organization it was sent to: the need, the
    service and the link; who it is for is behind the link."""
    days = current_app.config["REFERRAL"]["LINK_DAYS"]
    need = need_words(referral.need)
    subject = f"New referral for {service_name} ({need})"
    valid = f"\n\nThe link works for {days} days; no account is needed." if signed else ""
    body = (
        f"{sender} sent a new referral for {need} help to {service_name}.\n\n"
        f"Open it to see who it is for and how to reach them, then accept or decline it:\n"
        f"{url}{valid}\n"
    )
    html = (
        f"<p>{escape(sender)} sent a new referral for {escape(need)} help to "
        f'{escape(service_name)}.</p><p><a href="{escape(url)}">Open the referral</a> to see '
        f"who it is for and how to reach them, then accept or decline it.</p>"
    )
    return subject, body, html


def status_changed(referral, service_name: str, change, url: str) -> tuple[str, str]:
    """The email telling the case manager that a referral they made moved."""
    moved = change.to_status.value.replace("-", " ")
    outcome = f" Outcome: {change.outcome.value.replace('-', ' ')}." if change.outcome else ""
    reason = f" Reason: {change.reason}" if change.reason else ""
    subject = f"Referral {referral.id} to {service_name}: {moved}"
    body = (
        f"{change.actor} marked referral {referral.id} to {service_name} {moved}.{outcome}{reason}"
        f"\n\nOpen the referral:\n{url}\n"
    )
    return subject, body


def message_posted(referral, service_name: str, author: str, url: str) -> tuple[str, str]:
    """The email telling the case manager that a message came on their referral (the words
    themselves stay in the app)."""
    subject = f"New message on referral {referral.id} to {service_name}"
    body = f"{author} wrote on referral {referral.id} to {service_name}.\n\nRead and answer it:\n"
    body += f"{url}\n"
    return subject, body


def digest(lines: list[tuple[int, str, str, str]], today) -> tuple[str, str]:
    """The daily email of a case manager's follow-ups due: (id, service, due, link) each."""
    subject = f"{len(lines)} follow-up{'s' if len(lines) != 1 else ''} due on {today.isoformat()}"
    listed = "\n".join(
        f"- Referral {rid} to {name}, due {due}: {url}" for rid, name, due, url in lines
    )
    body = f"Follow-ups due today or overdue:\n\n{listed}\n"
    return subject, body


def patient_language(patient) -> str:
    """The language texts to a patient are written in."""
    return slip_language(None, patient.preferred_language)


def slip_text(sender: str, service, language: str) -> str:
    """The text version of a referral slip: the service, its address, phone and hours."""
    with force_locale(language):
        parts = [
            _("%(sender)s: your referral to %(service)s.", sender=sender, service=service.name)
        ]
        if service.address:
            parts.append(_("Address: %(address)s", address=service.address.replace("\n", ", ")))
        if service.phone:
            parts.append(_("Phone: %(phone)s", phone=service.phone))
        hours = "; ".join(service.hours) or _("Call to ask about hours")
        parts.append(_("Hours: %(hours)s", hours=hours))
        parts.append(_("Reply STOP to opt out."))
        return "\n".join(parts)


def follow_up_question(sender: str, service_name: str, language: str, reminder: bool) -> str:
    """The text asking the patient whether they got help, answered with 1 or 2."""
    with force_locale(language):
        if reminder:
            return _(
                "%(sender)s: a reminder: did you get help from %(service)s? Reply 1 for yes, "
                "2 for no. STOP to opt out",
                sender=sender,
                service=service_name,
            )
        return _(
            "%(sender)s: Did you get help from %(service)s? Reply 1 for yes, 2 for no. "
            "STOP to opt out",
            sender=sender,
            service=service_name,
        )


def patient_link_text(sender: str, url: str, language: str, days: int) -> str:
    """The text carrying a patient's link to their own page."""
    with force_locale(language):
        return _(
            "%(sender)s: see your referrals and tell us how it went: %(url)s (works for "
            "%(days)s days). Reply STOP to opt out.",
            sender=sender,
            url=url,
            days=days,
        )
