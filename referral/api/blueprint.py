"""The JSON API under /api/v1."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request

from referral.api.requests import is_whole
from referral.auth.access import json_api, require_directory_access
from referral.errors import BadInput
from referral.search.engine import search
from referral.search.params import ParamError, parse_search
from referral.search.serialize import response_json
from referral.services import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")
json_api(bp)
OPENAPI = Path(__file__).with_name("openapi.json")


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API; open to all, as it holds no patient data."""
    return current_app.response_class(openapi_bytes(), mimetype="application/json")


@cache
def openapi_bytes() -> bytes:
    """The bundled OpenAPI document, read once."""
    return OPENAPI.read_bytes()


@bp.get("/search")
@require_directory_access
def search_services():
    """Search the directory (see the contract for parameters and response)."""
    search_request = read_search_request()
    response = search(services().index, search_request, concepts=services().concepts.table())
    return jsonify(response_json(search_request, response))


@bp.get("/autocomplete")
@require_directory_access
def autocomplete():
    """Suggestions for the search box: needs, concepts, service and organization names."""
    typed = request.args.get("q", "")
    if len(typed) > 200:
        raise BadInput("q is too long for suggestions.", field="q")
    limit = request.args.get("limit", "8")
    if not is_whole(limit) or not 1 <= int(limit) <= 20:
        raise BadInput("limit must be a whole number from 1 to 20.", field="limit")
    found = services().index.suggester(services().concepts.table()).suggest(typed, int(limit))
    return jsonify({"q": typed, "suggestions": [{"text": s.text, "kind": s.kind} for s in found]})


def read_search_request():
    """The SearchRequest of this request's query string; 400 naming a bad parameter."""
    settings = current_app.config["REFERRAL"]
    try:
        return parse_search(
            request.args,
            request.args.getlist,
            services().geocoder,
            settings["DEFAULT_RADIUS_MILES"],
            settings["DEFAULT_TIMEZONE"],
        )
    except ParamError as exc:
        raise BadInput(exc.message, field=exc.field) from exc
