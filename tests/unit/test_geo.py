"""Places from ZIP codes, points and addresses; distances and service-area keys."""

import pytest

from referral.search import geo


def test_zip_code_resolves_offline_to_its_centre_county_and_state():
    place = geo.parse_near("33136")
    assert place.postal_code == "33136"
    assert place.state == "FL" and place.county == "Miami-Dade County"
    assert 25.7 < place.latitude < 25.9 and -80.3 < place.longitude < -80.1
    assert place.timezone == "America/New_York"


def test_zip_plus_four_is_read_as_its_zip():
    assert geo.parse_near("44113-1234").postal_code == "44113"


@pytest.mark.parametrize("text", ["00000", "99999"])
def test_unknown_zip_is_refused_with_a_message_naming_it(text):
    with pytest.raises(geo.PlaceError, match=text):
        geo.parse_near(text)


def test_too_few_digits_is_refused_as_not_a_zip():
    with pytest.raises(geo.PlaceError, match="5 digits"):
        geo.parse_near("3313")


def test_lat_lon_pair_takes_the_zip_county_and_state_of_the_nearest_zip_centre():
    place = geo.parse_near("41.4993, -81.6944")
    assert (place.latitude, place.longitude) == (41.4993, -81.6944)
    assert place.state == "OH" and place.county == "Cuyahoga County"
    assert place.postal_code.startswith("441")


def test_out_of_range_coordinates_are_refused():
    with pytest.raises(geo.PlaceError, match="between"):
        geo.parse_near("91,10")


def test_an_address_without_a_geocoder_says_what_to_enter_instead():
    with pytest.raises(geo.PlaceError, match="ZIP code"):
        geo.parse_near("1 Main Street, Cleveland OH")


def test_an_address_with_a_geocoder_uses_it_and_reports_no_match():
    found = geo.Place(41.5, -81.7, "1 Main St")
    assert geo.parse_near("1 Main St", lambda text: found) is found
    with pytest.raises(geo.PlaceError, match="No place was found"):
        geo.parse_near("nowhere at all", lambda text: None)


def test_area_keys_cover_zip_county_state_and_nation():
    place = geo.parse_near("33136")
    assert set(place.area_keys()) == {
        "nationwide",
        "state:fl",
        "county:fl:miami-dade",
        "postal_code:33136",
    }


def test_county_key_ignores_the_word_county_and_case():
    assert geo.area_key("county", "FL:Miami-Dade County") == geo.area_key("county", "fl:miami-dade")


def test_miles_between_two_known_points():
    miami, fort_lauderdale = (25.7617, -80.1918), (26.1224, -80.1373)
    assert 24 < geo.miles_between(miami, fort_lauderdale) < 26


def test_bounding_box_holds_every_point_of_the_radius():
    place = geo.parse_near("44113")
    low_lat, high_lat, low_lon, high_lon = geo.bounding_box(place, 10)
    for bearing_point in [
        (place.latitude + 0.144, place.longitude),
        (place.latitude, place.longitude + 0.19),
    ]:
        if geo.miles_between((place.latitude, place.longitude), bearing_point) <= 10:
            assert low_lat <= bearing_point[0] <= high_lat
            assert low_lon <= bearing_point[1] <= high_lon


def test_the_vectorised_distance_is_geopys_great_circle():
    import random

    import numpy as np

    from referral.search.engine import haversine_miles

    rng = random.Random(3)
    origin = (41.5, -81.7)
    points = [(rng.uniform(24, 49), rng.uniform(-125, -67)) for _ in range(200)]
    fast = haversine_miles(
        *origin, np.array([p[0] for p in points]), np.array([p[1] for p in points])
    )
    for (lat, lon), miles in zip(points, fast, strict=True):
        assert miles == pytest.approx(geo.miles_between(origin, (lat, lon)), rel=1e-9)
