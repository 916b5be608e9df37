"""The civil-affairs officers and their regions (tests/review/conftest.py), for the desk-wide rules
here; a module that needs other people or places defines its own fixtures of the same names."""
from tests.review import conftest as review

regions = review.regions
cab_city = review.cab_city
cab_town = review.cab_town
cab_village = review.cab_village
other_town = review.other_town
