"""Search results as the API's JSON."""

from __future__ import annotations

from referral.search.engine import Result, SearchRequest, SearchResponse


def response_json(request: SearchRequest, response: SearchResponse) -> dict:
    """The `GET /api/v1/search` response document."""
    place = request.place
    return {
        "total": response.total,
        "limit": request.limit,
        "offset": request.offset,
        "near": (
            {"latitude": place.latitude, "longitude": place.longitude, "label": place.label}
            if place
            else None
        ),
        "did_you_mean": response.did_you_mean,
        "results": [result_json(r) for r in response.results],
    }


def result_json(result: Result) -> dict:
    """One result row of the API."""
    data = result.data
    return {
        "service_id": result.meta.service_id,
        "service_name": data["service_name"],
        "organization_name": data["organization_name"],
        "description": data["description"],
        "location_id": data.get("location_id") or None,
        "address": data.get("address"),
        "latitude": result.meta.latitude,
        "longitude": result.meta.longitude,
        "distance_miles": result.distance_miles,
        "phones": data.get("phones", []),
        "categories": data.get("categories", []),
        "taxonomy": data.get("taxonomy", []),
        "languages": data.get("languages", []),
        "open_now": result.open_now,
        "hours_today": result.hours_today,
        "last_verified": data.get("last_verified"),
        "capacity": result.capacity,
        "score": result.score,
    }
