from codesign.proposals.diff import changed, word_diff


def test_word_diff_marks_only_the_changed_words():
    pieces = word_diff("Kept for three years, then deleted.", "Kept for one year, then deleted.")
    assert [(p.op, p.text) for p in pieces if p.op != "same"] == [
        ("removed", "three years,"), ("added", "one year,")]
    assert "".join(p.text for p in pieces if p.op != "removed") == "Kept for one year, then deleted."
    assert "".join(p.text for p in pieces if p.op != "added") == "Kept for three years, then deleted."


def test_unchanged_and_empty_texts():
    assert not changed(word_diff("Same text.", "Same text."))
    assert [(p.op, p.text) for p in word_diff("", "New")] == [("added", "New")]
    assert [(p.op, p.text) for p in word_diff("Old", "")] == [("removed", "Old")]


def test_a_diff_is_worked_out_once_per_pair_of_texts_and_cannot_be_changed_by_a_caller():
    old, new = "Kept for three years, then deleted.", "Kept for two years, then deleted."
    first = word_diff(old, new)
    hits = word_diff.cache_info().hits
    again = word_diff(old, new)
    assert again is first and word_diff.cache_info().hits == hits + 1
    assert isinstance(first, tuple)  # (a list kept for every later caller could be changed by one)
    assert [p.text for p in word_diff(old, "Kept for one year, then deleted.") if p.op == "added"] == ["one year,"]
