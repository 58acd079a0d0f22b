"""Staff Markdown is rendered, and anything dangerous in it is removed."""
import pytest

from codesign.richtext import render_markdown


def test_markdown_renders_structure():
    html = str(render_markdown("## Why\n\nWe **need** [this](https://example.org).\n\n- one\n- two"))
    assert "<h2>Why</h2>" in html and "<strong>need</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">this</a>' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="#" onclick="alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="position:fixed">x</p>',
])
def test_dangerous_markup_is_removed(hostile):
    html = str(render_markdown(hostile)).lower()
    for bad in ("<script", "onerror", "javascript:", "onclick", "<iframe", "style=", "<img"):
        assert bad not in html


def test_the_same_text_is_rendered_once_and_gives_the_same_html():
    text = "## Kept\n\nOnce **per worker**, <script>alert(1)</script>"
    first = render_markdown(text)
    hits = render_markdown.cache_info().hits
    assert render_markdown(text) == first and render_markdown.cache_info().hits == hits + 1
    assert "<script" not in first
