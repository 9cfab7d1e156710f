"""The matching benchmark's protocol: what is held out, and how ranks are counted."""

from __future__ import annotations

from bench import matching as bench


def award(key, award_id, date, buyer="Stadt Wien", town="Wien", cpv="33600000"):
    return {
        "winner_key": key,
        "award_id": str(award_id),
        "award_date": date,
        "buyer_name": buyer,
        "buyer_town": town,
        "country": "AT",
        "cpv_main": cpv,
        "cpv_additional": "",
        "title": "Lieferung von Arzneimitteln",
        "winner_names": key,
        "winner_towns": "Wien",
        "winner_countries": "AT",
    }


def test_each_repeat_winners_latest_award_is_held_out_of_its_profile():
    rows = [
        award("a", 1, "05-FEB-19"),
        award("a", 2, "01-DEC-19", buyer="Land Tirol"),
        award("a", 3, "10-MAR-19"),
        award("b", 4, "01-JAN-19"),
    ]
    held, profiles = bench.split(rows)
    assert held == {"a": rows[1]}
    assert profiles["a"] == [rows[0], rows[2]]
    assert profiles["b"] == [rows[3]]
    facts = bench.company_facts(0, profiles["a"])
    assert "land tirol" not in facts.history.awards_by_buyer  # built without the held-out one
    assert facts.history.awards == 2


def test_tied_companies_share_their_rank():
    assert bench.tied_rank({1: 3.0, 2: 2.0, 3: 2.0}, target=2, total=10) == 2.5
    assert bench.tied_rank({1: 3.0}, target=1, total=10) == 1
    # not scored at all: tied with every other company that scored nothing
    assert bench.tied_rank({1: 3.0}, target=5, total=10) == 2 + 8 / 2
