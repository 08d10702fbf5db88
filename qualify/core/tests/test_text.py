from __future__ import annotations

from qualify.core.text import clean_text, error_text, one_line


def test_clean_text_drops_nul_and_control_characters_but_keeps_line_breaks() -> None:
    assert clean_text("a\x00b\x07c\r\nd\te\u200b", limit=100) == "abc\nd\te"


def test_clean_text_single_line_drops_line_breaks_too() -> None:
    assert clean_text("a\nb\tc", limit=100, multiline=False) == "abc"


def test_clean_text_bounds_and_marks_a_cut() -> None:
    assert clean_text("x" * 50, limit=10) == "x" * 10
    cut = clean_text("word " * 20, limit=10, mark_cut=True)
    assert len(cut) <= 10
    assert cut.endswith("…")


def test_one_line_collapses_whitespace() -> None:
    assert one_line("  a \n\n b\t\tc  ", limit=100) == "a b c"


def test_error_text_of_a_binary_message_is_storable_and_bounded() -> None:
    text = error_text(ValueError("bad byte \x00\xff" + "z" * 5000), limit=200)
    assert "\x00" not in text
    assert len(text) <= 200
    assert error_text(ValueError()) == "ValueError"
