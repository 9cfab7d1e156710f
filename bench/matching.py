"""Matching quality on real contract awards: does the real winner rank high among all companies?

Data: data/ted_can_2019_sample/ted_can_2019_awards_benchmark.csv.gz (9,694 TED awards of 2019,
DE/AT/IT/HU). A company is a `winner_key`. Each repeat winner's latest award (by award_date, then
award id) is held out; every company's profile is built from its other awards only:
CPV interests (main and additional codes), references (titles), places (buyer towns and its own
town), history (awards per buyer, main CPV code per award), and as text the titles and the
labels of its CPV codes. For each held-out award we rank all
companies and report recall@1/10/50 and MRR of the real winner. Ties share their ranks (a tie of
n companies gives each the mean rank), so no method gains from the order of the file.

Methods:
- `cpv`: BM25 over CPV codes, each code also counting as its division, group, class ... (the
  best of the CPV-only variants we tried);
- `text`: BM25 over stemmed title words;
- `cpv+text`: the two, each divided by its best score for the query, summed;
- `matcher`: suppliers.matching.score, the product's scoring, on facts built from the awards.

`--split validation` never touches the held-out awards: it drops them from the data and holds
out each remaining repeat winner's latest award instead. Weights were chosen on that split; the
default `--split test` reports the numbers. `--smoke` scores only the first 60 queries.

    python -m bench matching            # the full table (about a minute)
    python -m bench matching --split validation
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "ted_can_2019_sample"
    / "ted_can_2019_awards_benchmark.csv.gz"
)
LANGUAGE = {"DE": "de", "AT": "de", "IT": "it", "HU": "hu"}
SMOKE_QUERIES = 60


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()


def _date(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%d-%b-%y").date() if value else dt.date.min


def load(path: Path = DATA) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def split(rows: list[dict]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """(held-out award per repeat winner, profile awards per winner)."""
    by_winner: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_winner[row["winner_key"]].append(row)
    held, profiles = {}, {}
    for key, awards in by_winner.items():
        awards.sort(key=lambda r: (_date(r["award_date"]), int(r["award_id"] or 0)))
        if len(awards) >= 2:
            held[key] = awards[-1]
            profiles[key] = awards[:-1]
        else:
            profiles[key] = awards
    return held, profiles


def codes(row: dict) -> list[str]:
    extra = [c.strip() for c in row["cpv_additional"].split(";") if c.strip()]
    main = row["cpv_main"].strip()
    return list(dict.fromkeys([main, *extra] if main else extra))


@dataclass
class Dataset:
    keys: list[str]
    queries: list[tuple[int, dict]]  # (index of the real winner, held-out award)
    profiles: list[list[dict]]


def dataset(split_name: str) -> Dataset:
    rows = load()
    held, profiles = split(rows)
    if split_name == "validation":
        test = {id(r) for r in held.values()}
        held, profiles = split([r for r in rows if id(r) not in test])
    keys = sorted(profiles)
    index = {k: i for i, k in enumerate(keys)}
    queries = sorted(((index[k], row) for k, row in held.items()), key=lambda q: q[1]["award_id"])
    return Dataset(keys=keys, queries=queries, profiles=[profiles[k] for k in keys])


# -- Methods --------------------------------------------------------------------------------------


class Bm25Index:
    """BM25 with posting lists, scoring only documents that share a term with the query."""

    def __init__(self, documents: list[Counter]):
        from suppliers.text import CorpusStats

        self.documents = documents
        self.stats = CorpusStats.of(documents)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(documents):
            for term in doc:
                self.postings[term].append(i)

    def search(self, query: list[str]) -> dict[int, float]:
        from suppliers.matching import WEIGHTS
        from suppliers.text import bm25

        terms = list(dict.fromkeys(query))
        hits = {i for t in terms for i in self.postings.get(t, ())}
        return {
            i: bm25(terms, self.documents[i], self.stats, k1=WEIGHTS.bm25_k1, b=WEIGHTS.bm25_b)[0]
            for i in hits
        }


def _cpv_tokens(code_list: list[str]) -> list[str]:
    from suppliers.matching import cpv_significant

    out = []
    for code in code_list:
        p = cpv_significant(code)
        out.extend(p[:n] for n in range(2, len(p) + 1))
    return out


def _title_terms(row: dict):
    from suppliers.text import analyse

    return analyse(row["title"], language=LANGUAGE.get(row["country"]))


def baselines(data: Dataset) -> dict[str, Callable[[dict], dict[int, float]]]:
    cpv_index = Bm25Index(
        [Counter(t for r in awards for t in _cpv_tokens(codes(r))) for awards in data.profiles]
    )
    text_index = Bm25Index(
        [
            Counter(t for r in awards for t in _title_terms(r).terms.elements())
            for awards in data.profiles
        ]
    )

    def cpv(row):
        return cpv_index.search(_cpv_tokens(codes(row)))

    def text(row):
        return text_index.search(list(_title_terms(row).terms))

    def summed(row):
        out: dict[int, float] = defaultdict(float)
        for part in (cpv(row), text(row)):
            top = max(part.values(), default=0.0) or 1.0
            for i, v in part.items():
                out[i] += v / top
        return out

    return {"cpv": cpv, "text": text, "cpv+text": summed}


def _place(town: str, country: str):
    from suppliers.matching import Place

    name = " ".join(town.split()).casefold()
    return Place(code=f"{country}:{name}", chain=(f"{country}:{name}", country), label_en=town)


@lru_cache(maxsize=1)
def cpv_labels() -> dict[str, dict[str, str]]:
    """CPV labels per code (en, nl, de, fr) from data/cpv."""
    path = DATA.parent.parent / "cpv" / "cpv2008_en_nl_de_fr.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


def company_facts(i: int, awards: list[dict]):
    """A company as the product sees one: CPV interests, references, places, history. Its
    text, like a profile's, holds the reference titles and the labels of its CPV interests (in
    German for German-language data; the CPV file has no Italian or Hungarian labels)."""
    from suppliers.matching import CompanyFacts, History
    from suppliers.text import analyse, analyse_all

    history = History()
    places = {}
    for r in awards:
        history.awards_by_buyer[r["buyer_name"].casefold()] += 1
        if r["cpv_main"]:
            history.award_cpv_codes.append(r["cpv_main"])
        history.awards += 1
        if r["buyer_town"]:
            p = _place(r["buyer_town"], r["country"])
            places[p.code] = p
        home = (r["winner_towns"] or "").split("|")[0]
        if home:
            p = _place(home, r["winner_countries"].split("|")[0] or r["country"])
            places[p.code] = p
    text = analyse_all([])
    for r in awards:
        text.add(_title_terms(r))
    cpv_codes = tuple(dict.fromkeys(c for r in awards for c in codes(r)))
    language = LANGUAGE.get(awards[0]["country"])
    column = "label_de" if language == "de" else "label_en"
    labels = cpv_labels()
    for code in cpv_codes:
        label = labels.get(code.split("-")[0], {}).get(column)
        if label:
            text.add(analyse(label, language="de" if column == "label_de" else "en"))
    return CompanyFacts(
        id=i,
        name=awards[0]["winner_names"].split("|")[0],
        cpv_codes=cpv_codes,
        places=tuple(places.values()),
        text=text,
        history=history,
    )


def opportunity_facts(row: dict):
    from suppliers.matching import OpportunityFacts

    return OpportunityFacts(
        id=int(row["award_id"] or 0),
        buyer=row["buyer_name"].casefold(),
        buyer_name=row["buyer_name"],
        cpv_codes=tuple(codes(row)),
        places=(_place(row["buyer_town"], row["country"]),) if row["buyer_town"] else (),
        text=_title_terms(row),
    )


def matcher(data: Dataset) -> Callable[[dict], dict[int, float]]:
    """The product's score for every company (ranking among all of them)."""
    from suppliers import matching
    from suppliers.text import CorpusStats

    companies = [company_facts(i, awards) for i, awards in enumerate(data.profiles)]
    context = matching.Context(
        text_stats=CorpusStats.of(c.text.terms for c in companies),
        cpv_stats=matching.CpvStats.of(c.cpv_codes for c in companies),
    )

    def run(row):
        opportunity = opportunity_facts(row)
        return {c.id: matching.score(opportunity, c, context).exact for c in companies}

    return run


# -- Evaluation -----------------------------------------------------------------------------------


def tied_rank(scores: dict[int, float], target: int, total: int) -> float:
    """The real winner's rank among `total` companies; absent ones score 0; ties share."""
    mine = scores.get(target, 0.0)
    above = sum(1 for v in scores.values() if v > mine)
    equal = (sum(1 for v in scores.values() if v == mine) - 1) if mine > 0 else total - above - 1
    return 1 + above + equal / 2


@dataclass
class Result:
    name: str
    recall1: float
    recall10: float
    recall50: float
    mrr: float
    seconds: float


def evaluate(name: str, method, data: Dataset, queries) -> Result:
    start = time.perf_counter()
    r1 = r10 = r50 = rr = 0.0
    for target, row in queries:
        rank = tied_rank(method(row), target, len(data.keys))
        r1 += rank <= 1
        r10 += rank <= 10
        r50 += rank <= 50
        rr += 1 / rank
    n = len(queries) or 1
    return Result(name, r1 / n, r10 / n, r50 / n, rr / n, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench matching", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help=f"only {SMOKE_QUERIES} queries")
    parser.add_argument("--split", choices=["test", "validation"], default="test")
    args = parser.parse_args(argv)
    _setup_django()

    data = dataset(args.split)
    queries = data.queries[:SMOKE_QUERIES] if args.smoke else data.queries
    methods = {**baselines(data), "matcher": matcher(data)}
    print(
        f"split={args.split} companies={len(data.keys)} queries={len(queries)}"
        + (" (smoke)" if args.smoke else ""),
        flush=True,
    )
    print(f"{'method':10} {'recall@1':>9} {'recall@10':>10} {'recall@50':>10} {'MRR':>7} {'s':>6}")
    results = []
    for name, method in methods.items():
        result = evaluate(name, method, data, queries)
        results.append(result)
        print(
            f"{name:10} {result.recall1:9.3f} {result.recall10:10.3f} {result.recall50:10.3f} "
            f"{result.mrr:7.3f} {result.seconds:6.1f}",
            flush=True,
        )
    ours = results[-1]
    best10 = max(r.recall10 for r in results[:-1]) or 1e-9
    best_mrr = max(r.mrr for r in results[:-1]) or 1e-9
    print(
        f"matcher / best baseline: recall@10 {ours.recall10 / best10:.3f}x, "
        f"MRR {ours.mrr / best_mrr:.3f}x (target 1.25x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
