"""The page tests that vary screen size, JavaScript and language run four of the eight
combinations (tests/browser/conftest.py::in_pairwise_set): those four must still hold every pair."""
from itertools import combinations, product

from tests.browser.conftest import in_pairwise_set

CHOICES = {"width": (360, 1280), "javascript": (True, False), "language": ("English", "العربية")}


def test_the_kept_runs_hold_every_pair_of_choices_in_half_the_runs():
    kept = [combo for combo in product(*CHOICES.values()) if in_pairwise_set(*combo)]
    assert len(kept) == 4
    for first, second in combinations(range(3), 2):
        for a, b in product(list(CHOICES.values())[first], list(CHOICES.values())[second]):
            assert any(combo[first] == a and combo[second] == b for combo in kept), (first, a, second, b)
    # The cheap phone in Arabic without JavaScript is one of them.
    assert (360, False, "العربية") in kept
