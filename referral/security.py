"""Security headers and cookies: a strict Content-Security-Policy, no framing, no referrer."""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

# Scripts and styles come only from this site; the one inline style (a slip's paper size) carries
# the request's nonce. Nothing may frame the app, and forms post only back to it.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def install(app: Flask) -> None:
    """Send the security headers on every answer; HSTS and secure cookies when served over HTTPS."""
    settings = app.config["REFERRAL"]
    if settings["PROXIES"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings["PROXIES"], x_proto=settings["PROXIES"]
        )
    app.extensions["talisman"] = Talisman(
        app,
        force_https=settings["FORCE_HTTPS"],
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["style-src"],
        referrer_policy="no-referrer",
        session_cookie_secure=settings["FORCE_HTTPS"],
        permissions_policy={"camera": "()", "microphone": "()", "browsing-topics": "()"},
    )
    app.session_interface = SessionOverHttps()
    # After-request functions run last-registered first: at the front, this one sees every cookie
    # the others set (Flask-Login's remember-me cookie among them).
    app.after_request_funcs.setdefault(None, []).insert(0, secure_cookies_over_https)


class SessionOverHttps(SecureCookieSessionInterface):
    """The signed-cookie session, its cookie `Secure` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request is HTTPS."""
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def secure_cookies_over_https(response: Response) -> Response:
    """Mark every cookie set so far `Secure` when the request came over HTTPS."""
    if not request.is_secure:
        return response
    cookies = response.headers.getlist("Set-Cookie")
    if cookies:
        response.headers.remove("Set-Cookie")
        for cookie in cookies:
            secure = "; secure" in cookie.lower()
            response.headers.add("Set-Cookie", cookie if secure else f"{cookie}; Secure")
    return response
