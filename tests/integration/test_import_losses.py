"""What real directories write that used to be lost on import: city service areas, languages
without an ISO 639-1 code, and hours in free text. Each is kept, searchable, or reported."""

from __future__ import annotations

import csv

from tests.conftest import load_directory


def write_package(folder, files: dict[str, list[list[str]]]):
    """A tabular HSDS 1.x package in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return folder


def miami_package(folder, **overrides: list[list[str]]):
    """Two tutoring programs run from Miami: one serving Hialeah, one Cleveland Heights."""
    files = {
        "organizations.csv": [["id", "name"], ["o1", "Study Partners"]],
        "services.csv": [
            ["id", "organization_id", "name", "description"],
            ["s1", "o1", "Hialeah Tutoring", "Homework help by phone."],
            ["s2", "o1", "Heights Tutoring", "Homework help by phone."],
            ["s3", "o1", "Downtown Tutoring", "Homework help at the office."],
        ],
        "locations.csv": [["id", "organization_id", "name"], ["l1", "o1", "Office"]],
        "services_at_location.csv": [["id", "service_id", "location_id"], ["sl3", "s3", "l1"]],
        "physical_addresses.csv": [
            ["id", "location_id", "address_1", "city", "state_province", "postal_code"],
            ["a1", "l1", "1 Flagler St", "Miami", "FL", "33130"],
        ],
        "service_area.csv": [
            ["id", "service_id", "service_area"],
            ["x1", "s1", "City of Hialeah"],
            ["x2", "s2", "Cleveland Heights"],
        ],
    }
    return write_package(folder, {**files, **overrides})


def found(app, query: str) -> list[str]:
    """The service ids a search answers with."""
    body = app.test_client().get(f"/api/v1/search?{query}").get_json()
    return sorted({result["service_id"] for result in body["results"]})


def test_a_city_service_area_serves_the_patients_in_its_zip_codes(app, tmp_path):
    """A service serving "City of Hialeah" is found from a Hialeah ZIP and not from Miami Beach;
    "Cleveland Heights" in a Florida directory is the one in Ohio."""
    report = load_directory(app, miami_package(tmp_path / "pkg"))
    assert report.ok and report.warnings == []
    assert "s1" in found(app, "q=tutoring&near=33012&radius=1")
    assert "s1" not in found(app, "q=tutoring&near=33139&radius=1")
    assert found(app, "q=tutoring&near=44118&radius=1") == ["s2"]


def language_package(folder):
    """Five phone lines in Miami, each in one language of the Chinese or sign-language families."""
    lines = [
        ("s1", "Cantonese"),
        ("s2", "Mandarin"),
        ("s3", "Chinese"),
        ("s4", "Sign Languages"),
        ("s5", "American Sign Language"),
    ]
    return miami_package(
        folder,
        **{
            "services.csv": [["id", "organization_id", "name", "description"]]
            + [[sid, "o1", f"{name} Helpline", "Homework help by phone."] for sid, name in lines],
            "services_at_location.csv": [["id", "service_id", "location_id"]]
            + [[f"sl-{sid}", sid, "l1"] for sid, _ in lines],
            "service_area.csv": [["id", "service_id", "service_area"]],
            "languages.csv": [["id", "service_id", "language"]]
            + [[sid, sid, name] for sid, name in lines]
            + [["s1", "s1", "Elvish"]],
        },
    )


def test_languages_keep_their_codes_and_a_macrolanguage_search_finds_its_members(app, tmp_path):
    """Cantonese is stored as yue and Mandarin as cmn; `language=zh` finds both and Chinese,
    `language=yue` only Cantonese, and a name that is no language is reported."""
    from sqlalchemy import select

    from referral.directory import models as m
    from referral.extensions import db

    report = load_directory(app, language_package(tmp_path / "pkg"))
    with app.app_context():
        stored = dict(db.session.execute(select(m.Language.service_id, m.Language.code)).all())
    assert stored == {"s1": "yue", "s2": "cmn", "s3": "zh", "s4": "sgn", "s5": "ase"}
    assert found(app, "q=helpline&language=zh") == ["s1", "s2", "s3"]
    assert found(app, "q=helpline&language=yue") == ["s1"]
    assert found(app, "q=helpline&language=cmn") == ["s2"]
    assert found(app, "q=helpline&language=sgn") == ["s4", "s5"]
    assert found(app, "q=helpline&language=zho") == ["s1", "s2", "s3"]
    assert [str(w) for w in report.warnings] == [
        "languages.csv:7: language: language could not be identified; "
        "kept with the interpretation notes (Elvish)"
    ]


def test_search_results_and_pages_name_the_languages(app, tmp_path):
    """Results carry the codes, and the service page names them as people say them."""
    load_directory(app, language_package(tmp_path / "pkg"))
    body = app.test_client().get("/api/v1/search?q=helpline&language=yue").get_json()
    assert body["results"][0]["languages"] == ["yue"]
    page = app.test_client().get("/services/s1")
    assert page.status_code == 200 and "Cantonese" in page.get_data(as_text=True)


def losses_package(folder):
    """One service whose hours, service areas and languages each lose something on import."""
    return miami_package(
        folder,
        **{
            "regular_schedules.csv": [
                ["service_id", "weekday", "opens_at", "closes_at", "original_text"],
                ["s1", "", "", "", "By appointment only"],
                ["s2", "", "", "", "9:00 AM – 5:00 PM"],
                ["s3", "", "", "", "Mon-Fri 9-5\\nEvery 3rd Sat 10-2"],
            ],
            "service_area.csv": [
                ["id", "service_id", "service_area"],
                ["x1", "s1", "Springfield"],
                ["x2", "s2", "Hialeah, Narnia"],
                ["x3", "s3", "Atlantis Under The Sea Kingdom"],
            ],
            "languages.csv": [["id", "service_id", "language"], ["s1", "s1", "Elvish"]],
        },
    )


def test_the_import_summary_counts_each_kind_of_loss_on_a_line_of_its_own(runner, tmp_path):
    """Hours by appointment, hours without days, hours read in part, ambiguous and unknown
    service areas and unknown languages are each a kind of their own in the summary."""
    result = runner.invoke(args=["import", str(losses_package(tmp_path / "pkg")), "--dry-run"])
    assert result.exit_code == 0, result.output
    for line in (
        "1 × regular_schedules.csv: hours are by appointment or vary; kept as text",
        "1 × regular_schedules.csv: opening hours give times but no days; kept as text",
        "1 × regular_schedules.csv: part of the opening hours could not be read; "
        "the rest was read, the text kept",
        "1 × service_area.csv: service_area: service area names a city found in more than "
        "one state; skipped",
        "1 × service_area.csv: service_area: part of the service area could not be read; "
        "the rest was kept",
        "1 × service_area.csv: service_area: service area could not be read; skipped",
        "1 × languages.csv: language: language could not be identified; "
        "kept with the interpretation notes",
    ):
        assert line in result.output, result.output
    assert "e.g. regular_schedules.csv:4: part of the opening hours could not be read; " in (
        result.output
    )
    assert "(Every 3rd Sat 10-2)" in result.output
