"""Search as case managers use it on a call: typos, lay words, Spanish, filters, no dead ends."""

import pytest

PANTRY = "18d0eeed-d20e-5c93-a129-c293bc0cd072"  # Near West Food Pantry: Tue, Thu 10-12 and 17-19


@pytest.fixture
def api(bundled_app):
    return bundled_app.test_client()


def search(api, **params):
    response = api.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def top_needs(body, n=5):
    return [set(r["categories"]) for r in body["results"][:n]]


@pytest.mark.parametrize(
    ("typed", "meant"), [("fod pantyr", "food pantry"), ("shleter", "shelter")]
)
def test_typos_are_corrected_and_said(api, typed, meant):
    body = search(api, q=typed, near="44113", radius=15)
    assert body["did_you_mean"] == meant
    assert body["results"]


def test_correct_spelling_offers_no_correction(api):
    assert search(api, q="food pantry", near="44113")["did_you_mean"] is None


@pytest.mark.parametrize(
    ("words", "need"),
    [
        ("light bill", "utilities"),
        ("lights are getting shut off", "utilities"),
        ("food stamps", "food"),
        ("place to sleep", "housing"),
        ("ride to the doctor", "transportation"),
        ("behind on rent", "housing"),
    ],
)
def test_lay_words_reach_the_services_directories_file_them_under(api, words, need):
    body = search(api, q=words, near="44113", radius=25)
    assert all(need in needs for needs in top_needs(body)), (words, top_needs(body))


@pytest.mark.parametrize(
    ("spanish", "english"),
    [
        ("comida", "food"),
        ("renta", "rent"),
        ("luz", "electric bill"),
        ("transporte", "transportation"),
        ("vivienda", "housing"),
        ("ayuda para pagar la luz", "light bill"),
    ],
)
def test_spanish_reaches_the_same_services_as_english(api, spanish, english):
    es = {r["service_id"] for r in search(api, q=spanish, near="44102", radius=25)["results"][:8]}
    en = {r["service_id"] for r in search(api, q=english, near="44102", radius=25)["results"][:8]}
    assert len(es & en) >= 4, (spanish, english)


def test_accents_make_no_difference(api):
    with_accents = search(api, q="guardería", near="44105", radius=15)["results"]
    without = search(api, q="guarderia", near="44105", radius=15)["results"]
    assert [r["service_id"] for r in with_accents] == [r["service_id"] for r in without]
    assert with_accents and "childcare" in with_accents[0]["categories"]


def test_several_windows_a_day_open_and_close_in_turn(api):
    def open_at(hour):
        body = search(
            api, q="near west food pantry", near="44113", at=f"2026-11-24T{hour}:00", limit=50
        )
        return next(r["open_now"] for r in body["results"] if r["service_id"] == PANTRY)

    assert (open_at("11"), open_at("14"), open_at("18"), open_at("20")) == (
        True,
        False,
        True,
        False,
    )


def test_hours_unknown_are_never_counted_as_open(api):
    everything = search(api, near="44113", radius=50, limit=100)
    unknown = {r["service_id"] for r in everything["results"] if r["open_now"] is None}
    assert unknown
    opened = search(api, near="44113", radius=50, limit=100, at="2026-11-24T11:00", open_now=1)
    assert not unknown & {r["service_id"] for r in opened["results"]}


def test_age_filter_leaves_out_services_for_other_ages(api):
    everyone = search(api, q="meals", near="44113", radius=25, limit=100)
    adults = search(api, q="meals", near="44113", radius=25, limit=100, age=30)
    left_out = {r["service_name"] for r in everyone["results"]} - {
        r["service_name"] for r in adults["results"]
    }
    assert any("Senior" in name for name in left_out)


def test_free_filter_keeps_only_free_services(bundled_app, api):
    body = search(api, near="44113", radius=25, free=1, limit=100)
    assert body["results"]
    for r in body["results"]:
        doc = api.get(f"/hsds/services/{r['service_id']}").get_json()
        costs = [c["amount"] for c in doc.get("cost_options") or [] if c.get("amount") is not None]
        assert 0 in costs or "free" in (doc.get("fees_description") or "").lower()


def test_a_need_match_near_by_comes_before_a_word_match_far_away(api):
    body = search(api, q="food", near="44113", radius=25, limit=10)
    assert all("food" in r["categories"] for r in body["results"][:5])


def test_autocomplete_suggests_needs_concepts_and_names(api):
    response = api.get("/api/v1/autocomplete?q=foo")
    body = response.get_json()
    kinds = {s["kind"] for s in body["suggestions"]}
    assert response.status_code == 200 and {"need", "concept"} <= kinds
    names = api.get("/api/v1/autocomplete?q=near west").get_json()["suggestions"]
    assert any(s["text"] == "Near West Food Pantry" for s in names)


@pytest.mark.parametrize(
    "params", [{"q": "x", "limit": "0"}, {"q": "x", "limit": "a"}, {"q": "x" * 300}]
)
def test_autocomplete_refuses_bad_parameters(api, params):
    response = api.get("/api/v1/autocomplete", query_string=params)
    assert response.status_code == 400 and response.get_json()["error"]["field"] in {"q", "limit"}


def test_the_page_says_what_it_corrected_and_offers_the_need(bundled_app):
    html = bundled_app.test_client().get("/?q=fod+pantyr&near=44113").get_data(as_text=True)
    assert "Showing results for" in html and "food pantry" in html


def test_an_empty_search_offers_the_need_its_words_named(bundled_app):
    client = bundled_app.test_client()
    html = client.get("/?q=soup+kitchen&near=44113&radius=1&language=zz").get_data(as_text=True)
    assert "Nothing matched" in html and "Everything for food" in html
