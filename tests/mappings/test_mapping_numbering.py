"""Invoice number patterns, both ways."""

from __future__ import annotations

import pytest

from mappings.numbering import NumberFormat, ParsedNumber


@pytest.mark.parametrize(
    ("pattern", "prefix", "number", "year", "text"),
    [
        pytest.param("{prefix}{number:06d}", "INV-", 1042, 2024, "INV-001042", id="default"),
        pytest.param("{prefix}{number:06d}", "", 7, 2024, "000007", id="no-prefix"),
        pytest.param("{prefix}{number}", "F", 1234567, 2024, "F1234567", id="unpadded"),
        pytest.param(
            "{prefix}{year}/{number:05d}", "INV-", 42, 2025, "INV-2025/00042", id="year-based"
        ),
        pytest.param("{number:04d}-{year}", "X", 3, 2024, "0003-2024", id="prefix-unused"),
    ],
)
def test_format(pattern: str, prefix: str, number: int, year: int, text: str) -> None:
    assert NumberFormat(pattern).format(prefix, number, year) == text


@pytest.mark.parametrize(
    ("pattern", "text", "parsed"),
    [
        pytest.param("{prefix}{number:06d}", "INV-000042", ParsedNumber("INV-", 42), id="default"),
        pytest.param(
            "{prefix}{number:06d}",
            "INV-0000123",
            ParsedNumber("INV-", 123),
            id="onlyoffice-7-digits",
        ),
        pytest.param(
            "{prefix}{number:06d}", "2024-0042", ParsedNumber("2024-", 42), id="digits-in-prefix"
        ),
        pytest.param("{prefix}{number:06d}", "42", ParsedNumber("", 42), id="digits-only"),
        pytest.param(
            "{prefix}{year}/{number:05d}",
            "INV-2025/00042",
            ParsedNumber("INV-", 42),
            id="year-based",
        ),
        pytest.param(
            "{prefix}{year}/{number:05d}",
            "B-17",
            ParsedNumber("B-", 17),
            id="fallback-trailing-digits",
        ),
        pytest.param("{prefix}{number:06d}", "INV-ABC", None, id="no-digits"),
        pytest.param("{prefix}{number:06d}", "42-A", None, id="no-trailing-digits"),
        pytest.param("{prefix}{number:06d}", "", None, id="empty"),
    ],
)
def test_parse(pattern: str, text: str, parsed: ParsedNumber | None) -> None:
    assert NumberFormat(pattern).parse(text) == parsed


@pytest.mark.parametrize(
    ("prefix", "number"), [("INV-", 1), ("INV-", 1042), ("", 999999), ("F/", 1234567)]
)
def test_default_format_round_trips(prefix: str, number: int) -> None:
    fmt = NumberFormat()
    assert fmt.parse(fmt.format(prefix, number, 2024)) == ParsedNumber(prefix, number)


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("{prefix}", id="no-number"),
        pytest.param("{prefix}{number}{client}", id="unknown-field"),
        pytest.param("{number}{number}", id="number-twice"),
        pytest.param("{prefix}{number:Q}", id="bad-format-spec"),
    ],
)
def test_bad_patterns_fail_at_configuration_time(pattern: str) -> None:
    with pytest.raises(ValueError, match="number format"):
        NumberFormat(pattern)
