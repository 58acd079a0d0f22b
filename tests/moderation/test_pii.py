"""What looks like personal information: held for a moderator (cautious, with few false alarms)."""
import pytest

from codesign.moderation.pii import (
    detect,
    parse_formats,
    student_id_pattern,
    valid_format,
)

STUDENT_IDS = student_id_pattern("S#######, @@-####")


@pytest.mark.parametrize("text,kinds", [
    ("Write to maria.lopez@example.org", ["email"]),
    ("maria at gmail: maria (at) gmail (dot) com", ["email"]),
    ("Call 555-123-4567 after six", ["phone"]),
    ("Mi número es (503) 555 0199", ["phone"]),
    ("+52 55 1234 5678", ["phone"]),
    ("4155550199", ["phone"]),
    ("هاتفي ٠١٢٣٤٥٦٧٨٩", ["phone"]),
    ("My son S1234567 was marked absent", ["student_id"]),
    ("her id is ab-1234", ["student_id"]),
    ("We live at 123 Main Street", ["street_address"]),
    ("Vivo en Calle Olmo 1234", ["street_address"]),
    ("Tôi ở 45 đường Lê Lợi", ["street_address"]),
    ("Email me at a@b.co or call 555-123-4567", ["email", "phone"]),
])
def test_personal_information_is_found(text, kinds):
    assert detect(text, STUDENT_IDS) == kinds


@pytest.mark.parametrize("text", [
    "In 2024 there were 1,200 students in 3 schools",
    "The meeting on 2024-05-12 was too short",
    "The budget is 3 500 000 dollars",
    "Grades 9 through 12 should be asked first",
    "Keep it for 3 years, not 7",
    "The 3 Main concerns are privacy, access and time",
    "Ask at the office on 5th Ave",
    "S123 is too short to be an ID",
    "Tres años es demasiado tiempo. ¿Quién ve las notas?",
    "数据保存三年太长了",
])
def test_ordinary_comments_are_not_held(text):
    assert detect(text, STUDENT_IDS) == []


def test_student_id_formats_are_checked_before_they_are_saved():
    assert parse_formats(" S#######, ,########") == ["S#######", "########"]
    assert valid_format("S#######") and valid_format("@@-####")
    assert not valid_format("SSSS")  # no digit at all: would match words
    assert not valid_format("##")  # too short: would match every small number
    assert not valid_format("(\\d+)*$")  # not a format
    assert student_id_pattern("") is None
