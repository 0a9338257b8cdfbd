"""Where messages go: email over SMTP, texts through Twilio or to the console.

Each provider takes an `Outgoing` and returns the provider's id for it, or raises
`TemporaryFailure` (try again later) or `PermanentFailure` (it will never go, say why). They
are built from the settings in one factory, so tests and other installations swap them.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from referral.notifications import rules

log = logging.getLogger(__name__)
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


@dataclass(frozen=True)
class Outgoing:
    """One message as a provider sends it."""

    channel: str
    to: str
    subject: str
    body: str
    html: str | None
    key: str
    language: str = "en"


class DeliveryError(Exception):
    """A message the provider did not take; the message says why."""

    permanent = False


class TemporaryFailure(DeliveryError):
    """The provider could not be reached or asked us to wait: try again later."""


class PermanentFailure(DeliveryError):
    """The provider refused the message for good (a refused recipient, an invalid number)."""

    permanent = True


class Provider(Protocol):
    """Sends messages of one channel."""

    def send(self, message: Outgoing) -> str:
        """Send `message`; the provider's id for it."""
        ...

    def close(self) -> None:
        """Let go of any open connection."""
        ...


@dataclass
class Providers:
    """The provider of each channel."""

    email: Provider
    sms: Provider

    def of(self, channel: str) -> Provider:
        """The provider of `channel`."""
        return self.email if channel == rules.EMAIL else self.sms

    def close(self) -> None:
        """Close both providers."""
        self.email.close()
        self.sms.close()


class ConsoleProvider:
    """Prints messages instead of sending them (development, and SMS until Twilio is set)."""

    def __init__(self, stream=None) -> None:
        self.stream = stream

    def send(self, message: Outgoing) -> str:
        """Print the message and call it sent."""
        head = f"Subject: {message.subject}\n" if message.subject else ""
        print(
            f"--- {message.channel} to {message.to}\n{head}{message.body}\n---",
            file=self.stream or sys.stderr,
            flush=True,
        )
        return f"console-{rules.message_id(message.key, 'console@referral').strip('<>')}"

    def close(self) -> None:
        """Nothing to close."""


class SmtpMailer:
    """Email over SMTP, one connection kept open for a run of messages."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def send(self, message: Outgoing) -> str:
        """Send one email; its Message-ID comes from the idempotency key."""
        email = self.compose(message)
        try:
            refused = self.connected().send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            self.drop()
            raise refusal(exc.recipients) from None
        except smtplib.SMTPResponseException as exc:
            self.drop()
            raise by_code(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.drop()
            raise TemporaryFailure(f"the mail server could not be reached: {exc}") from None
        if refused:
            raise refusal(refused)
        return email["Message-ID"]

    def compose(self, message: Outgoing) -> EmailMessage:
        """The email of a message, with plain text and, when given, HTML."""
        sender = self.settings["MAIL_FROM"]
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = sender, message.to, message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = rules.message_id(message.key, sender)
        email["Content-Language"] = message.language
        email.set_content(message.body)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        return email

    def connected(self) -> smtplib.SMTP:
        """The open connection, opened (with STARTTLS and login when set) if there is none."""
        if self.connection is None:
            s = self.settings
            connection = smtplib.SMTP(s["MAIL_SERVER"], s["MAIL_PORT"], timeout=s["MAIL_TIMEOUT"])
            if s["MAIL_USE_TLS"]:
                connection.starttls()
            if s["MAIL_USERNAME"]:
                connection.login(s["MAIL_USERNAME"], s["MAIL_PASSWORD"])
            self.connection = connection
        return self.connection

    def drop(self) -> None:
        """Forget a connection after an error (the next message opens a new one)."""
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except OSError:
                log.debug("closing a broken SMTP connection failed", exc_info=True)

    def close(self) -> None:
        """Say goodbye to the server."""
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()


def refusal(recipients: dict) -> DeliveryError:
    """The failure for recipients the server refused: permanent for a 5xx answer."""
    code, said = next(iter(recipients.values()))
    return by_code(code, said)


def by_code(code: int, said) -> DeliveryError:
    """A failure by SMTP reply code: 5xx is permanent, anything else temporary."""
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    if 500 <= code < 600:
        return PermanentFailure(f"the mail server refused it ({code} {text})")
    return TemporaryFailure(f"the mail server asked to wait ({code} {text})")


class TwilioSms:
    """Texts through Twilio's Messages API, with the idempotency key as Twilio's header."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings

    def send(self, message: Outgoing) -> str:
        """Send one text; Twilio's message sid."""
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        s = self.settings
        client = self.client(message.key)
        try:
            sent = client.api.v2010.accounts(s["TWILIO_ACCOUNT_SID"]).messages.create(
                to=message.to, from_=s["TWILIO_FROM"], body=message.body
            )
        except TwilioRestException as exc:
            raise twilio_failure(exc.status, exc.code, exc.msg) from None
        except RequestException as exc:
            raise TemporaryFailure(f"Twilio could not be reached: {exc}") from None
        return sent.sid

    def client(self, key: str):
        """A Twilio client that speaks to the configured API and sends the key's header."""
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        class KeyedHttpClient(TwilioHttpClient):
            def request(self, method, url, params=None, data=None, headers=None, **kwargs):
                headers = {**(headers or {}), IDEMPOTENCY_HEADER: key}
                return super().request(method, url, params, data, headers, **kwargs)

        s = self.settings
        http = KeyedHttpClient(timeout=s["MAIL_TIMEOUT"])
        client = Client(s["TWILIO_ACCOUNT_SID"], s["TWILIO_AUTH_TOKEN"], http_client=http)
        client.api.base_url = s["TWILIO_API_BASE"].rstrip("/")
        return client

    def close(self) -> None:
        """Nothing kept open."""


def twilio_failure(status: int, code, said: str) -> DeliveryError:
    """A failure by Twilio's answer: 4xx other than 429 is permanent (an invalid number)."""
    text = f"Twilio refused it ({status}{f', error {code}' if code else ''}: {said})"
    if 400 <= status < 500 and status != 429:
        return PermanentFailure(text)
    return TemporaryFailure(text)


def build_providers(settings: dict) -> Providers:
    """The providers the settings name: SMTP when a mail server is set (else the console),
    and Twilio or the console for texts."""
    email = SmtpMailer(settings) if settings["MAIL_SERVER"] else ConsoleProvider()
    sms = TwilioSms(settings) if settings["SMS_PROVIDER"] == "twilio" else ConsoleProvider()
    return Providers(email=email, sms=sms)
