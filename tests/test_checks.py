"""Check rows: sources, verdicts, parameter awareness, and the papers' table they read."""


import pytest

from cerebellar.core import checks as ck
from cerebellar.papers import Claim, claim, table


def test_verdicts_follow_the_comparison_and_the_setting():
    assert ck.close("x", 1.0, 1.05, atol=0.1, source="theory").verdict == "pass"
    assert ck.close("x", 1.0, 1.5, atol=0.1, source="theory").verdict == "fail"
    assert ck.close("x", 1.0, float("nan"), atol=0.1, source="theory").verdict == "fail"
    na = ck.close("x", 1.0, 1.5, atol=0.1, source="paper", cite="Fig 1", off="q = 2 (paper 1)")
    assert na.verdict == "n/a" and na.note == "q = 2 (paper 1)" and na.passed
    dev = ck.at_least("x", 0.2, 0.01, source="paper", cite="Fig 10F", deviation="we get 1 %",
                      deviation_range=(0.0, 0.05))
    assert dev.verdict == "deviates" and dev.passed and "1 %" in dev.note
    assert dev.deviation_range == (0.0, 0.05)
    assert ck.at_least("x", 0.2, 0.3, source="paper", cite="Fig 10F", deviation="...",
                       deviation_range=(0.0, 0.05)).verdict == "pass"


def test_a_deviation_is_bounded_and_fails_outside_its_range():
    kw = dict(source="paper", cite="Fig 10F", deviation="we get 1 %")
    with pytest.raises(ValueError, match="deviation_range"):
        ck.at_least("x", 0.2, 0.01, **kw)
    outside = ck.at_least("x", 0.2, 0.1, deviation_range=(0.0, 0.05), **kw)
    assert outside.verdict == "fail" and "outside" in outside.note and not outside.passed
    claim_row = ck.holds("y", False, got="no overshoot", measured=3.0, deviation_range=(2, 4), **kw)
    assert claim_row.verdict == "deviates"
    assert ck.Check.from_json(outside.to_json()) == outside


def test_calibrated_rows_need_a_cite_and_are_counted_apart():
    with pytest.raises(ValueError, match="cite"):
        ck.holds("x", True, source="calibrated")
    rows = [ck.holds("a", True, source="calibrated", cite="Fig 4"), ck.holds("b", True, source="theory")]
    assert ck.counts_text(rows) == "2 pass; 1 calibrated (1 pass)"


def test_a_row_needs_a_known_source_and_a_paper_row_a_cite():
    with pytest.raises(ValueError, match="source"):
        ck.holds("x", True, source="hunch")
    with pytest.raises(ValueError, match="cite"):
        ck.holds("x", True, source="paper")


def test_off_setting_names_the_parameters_that_differ():
    assert ck.off_setting({"q": 0.01, "g": 1.6}, {"q": 0.01, "g": 1.6}) == ""
    text = ck.off_setting({"q": 0.05, "g": 1.6}, {"q": 0.01, "g": 1.6})
    assert "q = 0.05" in text and "0.01" in text and "g = " not in text


def test_verdict_counts_and_json_round_trip():
    rows = [ck.holds("a", True, source="invariant"), ck.holds("b", False, source="invariant")]
    assert ck.verdict_counts(rows) == {"pass": 1, "fail": 1, "deviates": 0, "n/a": 0}
    assert ck.Check.from_json(rows[1].to_json()) == rows[1]


def test_every_entry_of_the_papers_table_is_sourced():
    entries = table()
    assert len(entries) > 50
    for key, entry in entries.items():
        assert isinstance(entry, Claim) and entry.claim and entry.cite, key
        assert entry.source in ("paper", "reference", "calibrated"), key
        if entry.source in ("paper", "calibrated"):
            assert ck.CITE_PLACE.search(entry.cite), (key, entry.cite)
        if entry.low is not None and entry.high is not None:
            assert entry.low <= entry.high, key


def test_claim_rows_carry_the_tables_cite_and_compare_as_stated():
    fig8 = claim("bouvier2018.fig8.final_error")
    row = fig8.check(1.5, atol=0.25)
    assert row.source == "paper" and row.cite == fig8.cite and row.verdict == "pass"
    assert fig8.check(2.0, atol=0.25).verdict == "fail"
    assert claim("bouvier2018.fig10b.slowdown").check(6.0).verdict == "fail"
    with pytest.raises(KeyError, match="no entry"):
        claim("nope.nothing")
