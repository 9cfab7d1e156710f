"""Text analysis in Python: the C stemmers (PyStemmer) give exactly the stems of the pure-Python
Snowball code, so an index built with either is searched correctly with the other."""

from __future__ import annotations

import csv
from pathlib import Path

import snowballstemmer
from snowballstemmer.dutch_porter_stemmer import DutchPorterStemmer
from snowballstemmer.dutch_stemmer import DutchStemmer
from snowballstemmer.english_stemmer import EnglishStemmer

from search import text

CPV = Path(__file__).resolve().parents[2] / "data" / "cpv" / "cpv2008_en_nl_de_fr.csv"


def test_the_c_stemmers_are_used():
    import Stemmer

    assert isinstance(snowballstemmer.stemmer("dutch"), Stemmer.Stemmer)


def test_c_and_python_stemmers_agree_on_every_cpv_label_word():
    with CPV.open(encoding="utf-8") as fh:
        words = {
            w
            for row in csv.DictReader(fh)
            for w in text.words(f"{row['label_nl']} {row['label_en']}")
        }
    words |= {"zoekt", "zoeken", "voorspelling", "voorspellen", "predicting", "cafe"}
    assert len(words) > 5_000
    python = {
        "dutch": DutchStemmer(),
        "dutch_porter": DutchPorterStemmer(),
        "english": EnglishStemmer(),
    }
    for language, pure in python.items():
        fast = snowballstemmer.stemmer(language)
        differ = [w for w in sorted(words) if fast.stemWord(w) != pure.stemWord(w)]
        assert differ == [], language


def test_highlight_of_plain_ascii_and_accented_text_is_the_same_as_before():
    clauses = text.query_clauses("cafe zoeken")
    assert text.highlight("Het Café zoekt", clauses) == "Het <mark>Café</mark> <mark>zoekt</mark>"
    assert text.highlight("CAFE, zoeker?", clauses) == "<mark>CAFE</mark>, zoeker?"
