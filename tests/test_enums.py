import pytest

from codesign.enums import LabelledEnum, with_labels


def test_every_member_needs_a_label():
    class Colour(LabelledEnum):
        RED = "red"
        BLUE = "blue"

    with pytest.raises(ValueError, match="blue"):
        with_labels(Colour, {Colour.RED: "Red"})
    with_labels(Colour, {Colour.RED: "Red", Colour.BLUE: "Blue"})
    assert Colour.BLUE.label == "Blue" and Colour("red") == "red"
