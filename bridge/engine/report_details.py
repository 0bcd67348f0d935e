"""The `details` of an invoice outcome: what a person reading the report needs beside the ids.

The keys are the journal's contract (see `state.records`): `customer`, `currency`, `total`
(before and after, as decimal strings), `lines` (a line diff), `names` (ids shown as names),
`shape` (which table of `mappings.fields` names the changed fields) and `reason`.

Must not: talk to either system; everything here comes from records already read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from mappings.money import format_money


def invoice_details(
    *,
    customer: str | None,
    currency: str | None,
    before_total: Decimal | None,
    after_total: Decimal | None,
    shape: str,
    lines: Sequence[Mapping[str, Any]] = (),
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    details: dict[str, Any] = {"shape": shape}
    if customer:
        details["customer"] = customer
    if currency:
        details["currency"] = currency
    if after_total is not None:
        details["total"] = [_money(before_total), _money(after_total)]
    if lines:
        details["lines"] = [dict(line) for line in lines]
    if names:
        details["names"] = {field: dict(ids) for field, ids in names.items() if ids}
    return details


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format_money(value)
