"""Links: lookups from either side, upserts that keep one record mapped to one, fingerprints."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from state import Ledger, Link

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    ledger = Ledger.in_memory()
    yield ledger
    ledger.close()


def invoice_link(perfex_id: str = "58", onlyoffice_id: str = "42", **fields: object) -> Link:
    return Link("invoice", perfex_id, onlyoffice_id, f"INV-{perfex_id}", **fields)


def test_a_saved_link_is_found_from_either_side_and_by_key(ledger: Ledger) -> None:
    link = invoice_link(perfex_fp="p1", onlyoffice_fp="o1", synced_at=T0)
    ledger.save_link(link)

    assert ledger.link_for("invoice", "perfex", "58") == link
    assert ledger.link_for("invoice", "onlyoffice", "42") == link
    assert ledger.link_by_key("invoice", "INV-58") == link
    assert ledger.link_for("invoice", "perfex", "42") is None
    assert ledger.link_for("contact", "perfex", "58") is None


def test_saving_again_for_the_same_perfex_record_replaces_its_link(ledger: Ledger) -> None:
    ledger.save_link(invoice_link("58", "42"))
    ledger.save_link(invoice_link("58", "43", perfex_fp="new"))

    assert ledger.count_links("invoice") == 1
    assert ledger.link_for("invoice", "perfex", "58").onlyoffice_id == "43"
    assert ledger.link_for("invoice", "onlyoffice", "42") is None


def test_saving_for_the_same_onlyoffice_record_replaces_its_link(ledger: Ledger) -> None:
    ledger.save_link(invoice_link("58", "42"))
    ledger.save_link(invoice_link("59", "42"))

    assert [link.perfex_id for link in ledger.links("invoice")] == ["59"]


def test_a_link_bridging_two_old_links_replaces_both(ledger: Ledger) -> None:
    ledger.save_link(invoice_link("58", "42"))
    ledger.save_link(invoice_link("59", "43"))
    ledger.save_link(invoice_link("58", "43"))

    assert [(link.perfex_id, link.onlyoffice_id) for link in ledger.links("invoice")] == [
        ("58", "43")
    ]


def test_the_same_ids_in_different_kinds_are_separate_links(ledger: Ledger) -> None:
    ledger.save_link(Link("invoice", "7", "7", "INV-7"))
    ledger.save_link(Link("contact", "7", "7", "Acme Ltd"))
    ledger.save_link(Link("tax", "7", "7", "VAT|20.00"))

    assert ledger.count_links("invoice") == ledger.count_links("contact") == 1
    assert ledger.link_for("tax", "onlyoffice", "7").natural_key == "VAT|20.00"
    assert ledger.count_links("item") == 0


def test_links_of_a_kind_come_back_in_the_order_they_were_saved(ledger: Ledger) -> None:
    for number in ("3", "1", "2"):
        ledger.save_link(invoice_link(number, f"o{number}"))

    assert [link.perfex_id for link in ledger.links("invoice")] == ["3", "1", "2"]


def test_link_by_key_prefers_the_most_recent_when_a_key_repeats(ledger: Ledger) -> None:
    # Perfex numbers repeat across years, so a display number can belong to two links.
    ledger.save_link(Link("invoice", "10", "100", "INV-000001"))
    ledger.save_link(Link("invoice", "20", "200", "INV-000001"))

    assert ledger.link_by_key("invoice", "INV-000001").perfex_id == "20"


def test_update_fingerprints_changes_only_the_named_fields(ledger: Ledger) -> None:
    ledger.save_link(invoice_link(perfex_fp="p1", onlyoffice_fp="o1", perfex_row_fp="pr1"))
    later = T0 + timedelta(minutes=5)

    ledger.update_fingerprints("invoice", "onlyoffice", "42", onlyoffice_fp="o2", synced_at=later)

    link = ledger.link_for("invoice", "perfex", "58")
    assert (link.perfex_fp, link.onlyoffice_fp, link.perfex_row_fp) == ("p1", "o2", "pr1")
    assert link.onlyoffice_row_fp is None
    assert link.synced_at == later


def test_update_fingerprints_can_clear_a_fingerprint(ledger: Ledger) -> None:
    ledger.save_link(invoice_link(perfex_row_fp="pr1"))

    ledger.update_fingerprints("invoice", "perfex", "58", perfex_row_fp=None)

    assert ledger.link_for("invoice", "perfex", "58").perfex_row_fp is None


def test_update_fingerprints_of_an_unlinked_record_is_refused(ledger: Ledger) -> None:
    with pytest.raises(LookupError, match="no invoice link for perfex id '99'"):
        ledger.update_fingerprints("invoice", "perfex", "99", perfex_fp="x")


def test_update_fingerprints_refuses_fields_that_are_not_fingerprints(ledger: Ledger) -> None:
    ledger.save_link(invoice_link())

    with pytest.raises(ValueError, match="onlyoffice_id"):
        ledger.update_fingerprints("invoice", "perfex", "58", onlyoffice_id="43")
    assert ledger.link_for("invoice", "perfex", "58").onlyoffice_id == "42"


def test_a_deleted_link_is_gone_from_both_sides(ledger: Ledger) -> None:
    ledger.save_link(invoice_link())
    ledger.save_link(invoice_link("59", "43"))

    ledger.delete_link("invoice", "onlyoffice", "42")
    ledger.delete_link("invoice", "onlyoffice", "42")  # a second delete is harmless

    assert ledger.link_for("invoice", "perfex", "58") is None
    assert ledger.count_links("invoice") == 1


def test_synced_at_comes_back_as_the_same_instant_in_utc(ledger: Ledger) -> None:
    paris = timezone(timedelta(hours=1))
    ledger.save_link(invoice_link(synced_at=datetime(2026, 11, 21, 11, 0, 0, 250, tzinfo=paris)))

    synced_at = ledger.link_for("invoice", "perfex", "58").synced_at
    assert synced_at == datetime(2026, 11, 21, 10, 0, 0, 250, tzinfo=UTC)
    assert synced_at.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused_before_anything_is_stored(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ledger.save_link(invoice_link(synced_at=datetime(2026, 11, 21, 10, 0)))
    assert ledger.count_links("invoice") == 0


@pytest.mark.parametrize(
    "make",
    [
        lambda: Link("quote", "1", "2", "Q-1"),
        lambda: Link("invoice", 58, "42", "INV-58"),
        lambda: Link("invoice", "58", "", "INV-58"),
    ],
    ids=["unknown-kind", "integer-id", "empty-id"],
)
def test_malformed_links_are_refused_when_built(make) -> None:
    with pytest.raises((ValueError, TypeError)):
        make()


def test_an_unknown_side_is_refused(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="unknown side"):
        ledger.link_for("invoice", "perfex_id = perfex_id OR 1", "58")


pairs = st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz"))


@settings(max_examples=60, deadline=None)
@given(st.lists(pairs, max_size=12))
def test_any_sequence_of_saves_maps_each_record_to_one_counterpart(saves) -> None:
    ledger = Ledger.in_memory()
    expected: dict[str, str] = {}
    for perfex_id, onlyoffice_id in saves:
        expected = {p: o for p, o in expected.items() if p != perfex_id and o != onlyoffice_id}
        expected[perfex_id] = onlyoffice_id
        ledger.save_link(Link("item", perfex_id, onlyoffice_id, perfex_id))

    stored = {link.perfex_id: link.onlyoffice_id for link in ledger.links("item")}
    assert stored == expected
    for perfex_id, onlyoffice_id in expected.items():
        assert ledger.link_for("item", "onlyoffice", onlyoffice_id).perfex_id == perfex_id
    ledger.close()
