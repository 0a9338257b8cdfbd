"""Likely duplicate directory records: normalization, blocking and the rule that makes a pair."""

from referral.curation.duplicates import (
    SHARED_LIMIT,
    Candidate,
    Pair,
    likely_duplicates,
    name_similarity,
    name_words,
    normalize_name,
    normalize_phone,
    normalize_website,
    normalize_zip,
    split_address,
)


def service(record_id, name, organization="Little Havana Community Center, Inc.", **fields):
    """A service candidate with Miami-like defaults."""
    fields.setdefault("postal_code", "33135")
    return Candidate(record_id, name, organization, **fields)


def ids(pairs):
    """The (left, right) ids of pairs, in order."""
    return [(p.left_id, p.right_id) for p in pairs]


def test_a_renamed_copy_at_the_same_address_is_found():
    original = service(
        "s1",
        "Food Pantry - Little Havana",
        address="900 SW 1st Street, Suite 2",
        phones=("305-555-0101",),
    )
    copy = service(
        "s2",
        "Little Havana Food Pantrry Program",
        address="900 S.W. First St. # 2",
        postal_code="33135-1234",
        phones=("(305) 555-0199",),
    )
    [pair] = likely_duplicates([original, copy])
    assert (pair.left_id, pair.right_id) == ("s1", "s2")
    assert pair.matches == ("name", "organization", "address")
    assert pair.score >= 85


def test_a_renamed_copy_with_the_same_phone_and_no_address_is_found():
    original = service("s1", "Emergency Shelter for Women", phones=("305-555-0101",))
    copy = service("s2", "Emergency Women's Shelter", phones=("1-305-555-0101 x12",))
    assert ids(likely_duplicates([original, copy])) == [("s1", "s2")]


def test_the_same_chain_name_at_different_addresses_and_phones_is_not_a_pair():
    stores = [
        service(
            "a",
            "Salvation Army Family Store",
            "The Salvation Army",
            address="1000 NW 7th Avenue",
            postal_code="33136",
            phones=("305-555-0001",),
        ),
        service(
            "b",
            "Salvation Army Family Store",
            "The Salvation Army",
            address="2400 SW 8th Street",
            postal_code="33135",
            phones=("305-555-0002",),
        ),
        service(
            "c",
            "SALVATION ARMY FAMILY STORE",
            "Salvation Army",
            address="1000 NW 7th Avenue, Suite 9",
            postal_code="33150",
            phones=("305-555-0003",),
        ),
    ]
    assert likely_duplicates(stores, threshold=0) == []


def test_sibling_programs_and_numbered_sites_at_one_address_are_not_pairs():
    site = {"address": "6200 SW 73rd Street", "postal_code": "33143", "phones": ("786-555-5026",)}
    siblings = [
        service("m", "Center for Women and Infants - Morning Maternity Tour", **site),
        service("e", "Center for Women and Infants - Evening Maternity Tour", **site),
        service("h1", "Kidz City Learning Center - Hialeah I", **site),
        service("h2", "Kidz City Learning Center - Hialeah II", **site),
    ]
    assert likely_duplicates(siblings) == []


def test_a_shared_switchboard_phone_alone_does_not_pair():
    switchboard = "305-555-2110"
    clinic = {"name": "Legal Aid Clinic", "phones": (switchboard,), "postal_code": "33130"}
    pair = [
        service("x1", address="1 Main Street", **clinic),
        service("x2", address="500 Oak Avenue", **clinic),
    ]
    assert ids(likely_duplicates(pair, threshold=0)) == [("x1", "x2")]  # a moved listing
    words = ["tax", "food", "rent", "legal", "job", "baby", "bus", "art", "swim"]
    others = [
        service(
            f"o{i}",
            f"{words[i % 9]} {words[(i // 9) % 9]} help desk {i}",
            address=f"{100 + i} Elm Street",
            phones=(switchboard,),
        )
        for i in range(SHARED_LIMIT)
    ]
    assert likely_duplicates(pair + others, threshold=0) == []


def test_a_shared_phone_without_alike_names_does_not_pair():
    place = {"address": "1 Main Street", "phones": ("305-555-0101",)}
    unrelated = [
        service("p", "Food Pantry", **place),
        service("t", "Free Tax Preparation", **place),
    ]
    assert likely_duplicates(unrelated, threshold=0) == []


def test_ignored_pairs_are_skipped():
    place = {"address": "1 Main Street", "phones": ("305-555-0101",)}
    three = [service(i, "Food Pantry", **place) for i in ("a", "b", "c")]
    ignore = frozenset({frozenset({"b", "a"})})
    assert ids(likely_duplicates(three, ignore=ignore)) == [("a", "c"), ("b", "c")]


def test_pairs_come_best_first_each_once_with_the_smaller_id_left():
    place = {"address": "1 Main Street", "phones": ("305-555-0101",)}
    candidates = [
        service("z", "Senior Meals Program", **place),
        service("y", "Senior Meals", **place),
        service("k", "Senior Meals", address="1 Main Street", phones=("305-555-0999",)),
        service("b", "Senior Meal Site", **place),
    ]
    pairs = likely_duplicates(candidates + candidates[:2])
    assert pairs == sorted(pairs, key=lambda p: (-p.score, p.left_id, p.right_id))
    assert all(p.left_id < p.right_id for p in pairs)
    assert len({(p.left_id, p.right_id) for p in pairs}) == len(pairs)
    assert ids(pairs)[0] == ("y", "z")
    assert ("k", "y") in ids(pairs)
    assert pairs[0].score == 100.0


def test_limit_keeps_only_the_best_pairs():
    place = {"address": "1 Main Street", "phones": ("305-555-0101",)}
    candidates = [service(i, "Food Pantry", **place) for i in "abcd"]
    assert ids(likely_duplicates(candidates, limit=2)) == [("a", "b"), ("a", "c")]


def test_organizations_with_the_same_website_are_duplicates():
    organizations = [
        Candidate("o1", "Hope Center of Miami, Inc.", website="http://www.hopecenter.org/about"),
        Candidate("o2", "The Hope Center of Miami", website="HOPECENTER.ORG"),
        Candidate("o3", "City of Miami Beach", website="www.miamibeachfl.gov"),
        Candidate(
            "o4", "City of Miami Beach Parks and Recreation", website="miamibeachfl.gov/parks"
        ),
    ]
    [pair] = likely_duplicates(organizations)
    assert (pair.left_id, pair.right_id, pair.matches) == ("o1", "o2", ("name", "website"))


def test_services_of_unrelated_organizations_stay_below_the_default_threshold():
    place = {"address": "1 Main Street", "phones": ("305-555-0101",), "website": "a.org"}
    first = service("a", "After School Program", "YMCA of South Florida", **place)
    second = service("b", "After School Program", "Concerned African Women", **place)
    assert likely_duplicates([first, second]) == []
    [pair] = likely_duplicates([first, second], threshold=75)
    assert pair.score <= 80 and "organization" not in pair.matches


def test_identical_records_pair_among_themselves():
    same = [service(i, "Food Pantry", address="1 Main St", phones=("305-555-0101",)) for i in "cab"]
    pairs = likely_duplicates(same)
    assert ids(pairs) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert {p.score for p in pairs} == {100.0}


def test_normalization_folds_accents_punctuation_noise_words_and_suffixes():
    assert normalize_name("Centro Médico Hispano, Inc.") == normalize_name("CENTRO MEDICO HISPANO")
    assert normalize_name("The Children's Trust of Miami-Dade, LLC") == "childrens trust miami dade"
    assert normalize_name("St. Luke's Ctr. & Program") == "saint lukes center"
    assert (
        normalize_name("U.S. Social Security Administration") == "us social security administration"
    )
    assert name_words("Head Start Center II") == ("head", "start", "center", "2")
    assert split_address("419 North First Street, Suite 5") == ("419 n 1st st", "ste 5")
    assert split_address("419 N. 1st St. #5") == ("419 n 1st st", "ste 5")
    assert split_address("300 NE 2nd Avenue, 3rd Floor") == ("300 ne 2nd ave", "fl 3")
    assert normalize_zip("33142-7382") == "33142"
    assert normalize_phone("(305) 646-7220 ext. 5427") == "3056467220"
    assert normalize_phone("1-305-646-7220") == "3056467220"
    assert normalize_phone("211") == ""
    assert normalize_website("HTTPS://WWW.Example.org/index.html") == "example.org"


def test_names_that_differ_only_in_accents_punctuation_and_spelling_pair():
    place = {"address": "1 Main Street", "phones": ("305-555-0101",)}
    first = service("a", "Clínica Médica San José", **place)
    second = service("b", "CLINICA MEDICA SAN JOSE, INC.", **place)
    assert likely_duplicates([first, second])[0].score == 100.0
    assert name_similarity(["hopsice", "care"], ["hospice", "care"]) == 100.0
    assert name_similarity(["mental", "health"], ["dental", "health"]) < 90


def test_empty_input_gives_no_pairs():
    assert likely_duplicates([]) == []
    assert likely_duplicates(iter(())) == []
    assert likely_duplicates([Candidate("only", "Food Pantry")]) == []


def test_pairs_are_plain_values():
    [pair] = likely_duplicates([service("a", "Food Pantry"), service("b", "Food Pantry")])
    assert pair == Pair("a", "b", pair.score, pair.matches)
    assert pair.matches == ("name", "organization")
