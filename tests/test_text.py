"""The escaping helpers of ``geo.text``: exact outputs for hostile payloads in each context (issue 11)."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from geo.text import ECHO_LIMIT, WORD_JOINER, clip, html_text, markdown_text, script_json

# --- html_text: HTML content or quoted attribute, also inside a JavaScript template literal -------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("</script>", "&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("\"'", "&quot;&#x27;"),
        ("`+alert(1)+`", "&#96;+alert(1)+&#96;"),
        ("${x}", "&#36;{x}"),
        ("trailing\\", "trailing&#92;"),
        ("a & b", "a &amp; b"),
        ("\u2028", "\u2028"),  # a line separator is plain text in HTML and legal inside a template literal
        ("[a](http://x)", "[a](http://x)"),  # Markdown means nothing in HTML
        ("two\nlines", "two\nlines"),
        ("วัดพระสิงห์", "วัดพระสิงห์"),
    ],
)
def test_html_text_escapes_html_and_template_literal_characters(raw: str, expected: str) -> None:
    assert html_text(raw) == expected


def test_html_text_of_missing_values_is_empty() -> None:
    for missing in (None, float("nan"), np.nan, np.float32("nan"), pd.NA, pd.NaT):
        assert html_text(missing) == "", missing


def test_html_text_of_numbers_and_objects_is_their_text() -> None:
    assert html_text(3) == "3" and html_text(1.5) == "1.5" and html_text(np.int64(7)) == "7"
    assert html_text(["<b>"]) == "[&#x27;&lt;b&gt;&#x27;]"


def test_html_text_leaves_no_character_that_ends_a_template_literal_or_a_script() -> None:
    hostile = "\"' `+alert(1)+` ${alert(1)} <img src=x onerror=alert(1)> </script> \\"
    out = html_text(hostile)
    for char in "`$\\<>\"'":
        assert char not in out, char
    assert out == ("&quot;&#x27; &#96;+alert(1)+&#96; &#36;{alert(1)} &lt;img src=x onerror=alert(1)&gt; "
                   "&lt;/script&gt; &#92;")


def test_html_text_keeps_a_long_value_whole() -> None:
    assert html_text("x" * 100_000) == "x" * 100_000


# --- script_json: a value inside a <script> element -------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("</script>", '"\\u003c/script\\u003e"'),
        ("<script>alert(1)</script>", '"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"'),
        ("<!--", '"\\u003c!--"'),
        ("\"'", '"\\"\'"'),
        ("`+alert(1)+`", '"`+alert(1)+`"'),  # inside a JSON string a backtick is just a character
        ("${x}", '"${x}"'),
        ("trailing\\", '"trailing\\\\"'),
        ("a & b", '"a \\u0026 b"'),
        ("\u2028\u2029", '"\\u2028\\u2029"'),
        ("two\nlines", '"two\\nlines"'),
        ("วัด", '"วัด"'),
        (None, "null"),
        (float("nan"), "null"),
        ({"a": [1, float("inf")], "b": "<b>"}, '{"a":[1,null],"b":"\\u003cb\\u003e"}'),
    ],
)
def test_script_json_cannot_break_out_of_a_script(raw: object, expected: str) -> None:
    out = script_json(raw)
    assert out == expected
    assert "<" not in out and ">" not in out and "\u2028" not in out
    assert json.loads(out) == (None if isinstance(raw, float) else json.loads(json.dumps(raw).replace("Infinity", "null")))


# --- markdown_text: a value shown inside Streamlit Markdown --------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[a](http://x)", "\\[a\\]\\(http\\:\u2060\\/\\/x\\)"),
        ("![x](http://x/p.png)", "\\!\\[x\\]\\(http\\:\u2060\\/\\/x\\/p\\.png\\)"),
        ("**b**", "\\*\\*b\\*\\*"),
        (":red[x]", "\\:red\\[x\\]"),
        ("$x$", "\\$x\\$"),
        ("https://example.invalid", "https\\:\u2060\\/\\/example\\.invalid"),
        ("HTTP://EXAMPLE.INVALID", "HTTP\\:\u2060\\/\\/EXAMPLE\\.INVALID"),
        ("www.example.invalid", "www\u2060\\.example\\.invalid"),
        ("mail me@example.invalid", "mail me\\@\u2060example\\.invalid"),
        ("<script>alert(1)</script>", "\\<script\\>alert\\(1\\)\\<\\/script\\>"),
        ("</script>", "\\<\\/script\\>"),
        ("\"'", "\\\"\\'"),
        ("`code`", "\\`code\\`"),
        ("${x}", "\\$\\{x\\}"),
        ("trailing\\", "trailing\\\\"),
        ("line one\nline two", "line one line two"),
        ("a\r\nb", "a b"),
        ("# heading", "\\# heading"),
        ("&amp;", "\\&amp\\;"),
        ("\u2028", "\u2028"),
        ("Wat Phra Singh", "Wat Phra Singh"),
        ("วัดพระสิงห์", "วัดพระสิงห์"),
    ],
)
def test_markdown_text_escapes_every_markdown_construct(raw: str, expected: str) -> None:
    assert markdown_text(raw) == expected


def test_markdown_text_of_missing_values_is_empty() -> None:
    for missing in (None, float("nan"), pd.NA):
        assert markdown_text(missing) == ""


def test_markdown_text_clips_before_escaping() -> None:
    out = markdown_text("[" * 100_000, limit=ECHO_LIMIT)
    assert out == "\\[" * (ECHO_LIMIT - 1) + "…"
    assert markdown_text("a\nb", limit=10) == "a b"


def test_markdown_text_breaks_autolinks_that_survive_backslash_escapes() -> None:
    """remark-gfm finds ``https://``, ``www.`` and e-mail addresses in the shown text, after escapes resolve:
    an invisible word joiner inside each keeps it from matching, and the reader sees the same text."""
    payload = "[Session expired - sign in again](https://example.invalid/login) www.example.invalid a@b.invalid"
    out = markdown_text(payload)
    shown = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", out)  # CommonMark resolves the backslash escapes
    assert shown.replace(WORD_JOINER, "") == payload
    assert not re.search(r"https?://|www(?=\.)|@[-\w]", shown, re.IGNORECASE)  # the patterns remark-gfm links


def test_markdown_text_leaves_every_ascii_punctuation_escaped() -> None:
    punctuation = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())
    out = markdown_text(punctuation)
    assert out == "".join("\\" + ch for ch in punctuation).replace("@", "@" + WORD_JOINER)


# --- clip: an echoed value cut to a readable length ----------------------------------------------------------


def test_clip_cuts_100k_characters_to_the_limit() -> None:
    out = clip("x" * 100_000)
    assert len(out) == ECHO_LIMIT and out == "x" * (ECHO_LIMIT - 1) + "…"
    assert clip("x" * 100_000, 10) == "x" * 9 + "…"


def test_clip_keeps_short_values_and_replaces_control_characters() -> None:
    assert clip("x" * ECHO_LIMIT) == "x" * ECHO_LIMIT
    assert clip("a\nb\tc\u2028d") == "a b c d"
    assert clip("<script>alert(1)</script>") == "<script>alert(1)</script>"  # clip does not escape
    assert clip(None) == "" and clip(float("nan")) == "" and clip(12) == "12"


def test_clip_to_nothing() -> None:
    assert clip("abc", 0) == "" and clip("abc", 1) == "…" and clip("a", 1) == "a"


def test_helpers_agree_on_missing_values() -> None:
    assert {html_text(math.nan), markdown_text(math.nan), clip(math.nan)} == {""}


# --- typst_string: a Typst string literal, shown verbatim in the report -----------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Wat Phra Singh", '"Wat Phra Singh"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("two\nlines\r\tend", '"two\\nlines\\r\\tend"'),
        ("bell\x07", '"bell\\u{7}"'),
        ("#set page(paper: \"a0\") [x] *b* $m$ <l> @r // c /* d", '"#set page(paper: \\"a0\\") [x] *b* $m$ <l> @r // c /* d"'),
        ("วัดพระสิงห์", '"วัดพระสิงห์"'),
        (None, '""'),
        (float("nan"), '""'),
        (12, '"12"'),
    ],
)
def test_typst_string(raw, expected) -> None:
    from geo.text import typst_string

    assert typst_string(raw) == expected


def test_typst_string_shows_hostile_text_verbatim_in_a_pdf(tmp_path) -> None:
    import shutil
    import subprocess

    import typst

    from geo.text import typst_string

    hostile = ['#import "@preview/x:0.1.0"', '") #panic("boom") #("', "*bold* _em_ $x^2$ = Heading", "\\", "]\n[",
               "<label> @ref // not a comment", "วัดพระสิงห์ \"quoted\""]
    source = "\n\n".join(f"#{typst_string(h)}" for h in hostile)
    (tmp_path / "t.typ").write_text(source, encoding="utf-8")
    pdf = typst.compile(str(tmp_path / "t.typ"), root=str(tmp_path))
    assert shutil.which("pdftotext"), "poppler-utils is missing (make test installs it)"
    (tmp_path / "t.pdf").write_bytes(pdf)
    shown = subprocess.run(["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout
    flat = " ".join(shown.split())
    for h in hostile:
        assert " ".join(h.split()) in flat, h
