"""Loading the reference data: CPV 2008, NUTS 2024, Dutch municipalities, competencies.

Idempotent: rows are upserted by code, so loading twice changes nothing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from tqdm import tqdm

from marketplace.core.models import Competency, CpvCode, Region

CPV_LEVELS = {"division": 1, "group": 2, "class": 3, "category": 4, "subcategory": 5}
NUTS_KINDS = {
    0: Region.Kind.COUNTRY,
    1: Region.Kind.NUTS1,
    2: Region.Kind.PROVINCE,
    3: Region.Kind.NUTS3,
}
BATCH = 1000


@dataclass
class LoadResult:
    cpv: int = 0
    regions: int = 0
    municipalities: int = 0
    competencies: int = 0


def _data(path: str) -> Path:
    return Path(settings.DATA_DIR) / path


def _upsert(model, rows: list, fields: list[str], unique: str, bar: tqdm) -> None:
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        model.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=[unique], update_fields=fields
        )
        bar.update(len(batch))


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def cpv_rows() -> list[CpvCode]:
    rows = _read_csv(_data("cpv/cpv2008_en_nl_de_fr.csv"))
    rows.sort(key=lambda r: (CPV_LEVELS[r["level"]], r["code"]))
    return [
        CpvCode(
            code=r["code"],
            code_with_check_digit=r["code_with_check_digit"],
            parent_id=r["parent_code"] or None,
            level=CPV_LEVELS[r["level"]],
            division=r["division"],
            contract_type=r["contract_type"],
            label_en=r["label_en"],
            label_nl=r["label_nl"] or r["label_en"],
        )
        for r in rows
    ]


def region_rows() -> list[Region]:
    nuts = _read_csv(_data("nuts/nuts2024_all_levels_labels.csv"))
    nuts.sort(key=lambda r: (int(r["level"]), r["code"]))
    regions = [
        Region(
            code=r["code"],
            kind=NUTS_KINDS[int(r["level"])],
            country=r["country"],
            parent_id=r["parent_code"] or None,
            label_en=r["label_en"],
            label_nl=r["label_nl"] or r["label_en"],
        )
        for r in nuts
    ]
    provinces = {
        r["label_nl"].removesuffix(" (NL)"): r["code"]
        for r in nuts
        if r["country"] == "NL" and r["level"] == "2" and not r["code"].startswith("NLZ")
    }
    for m in _read_csv(_data("nl_municipalities/nl_gemeenten_2025.csv")):
        regions.append(
            Region(
                code=m["gm_code"],
                kind=Region.Kind.MUNICIPALITY,
                country="NL",
                parent_id=provinces[m["province"]],
                label_en=m["name"],
                label_nl=m["name"],
            )
        )
    return regions


def competency_rows() -> list[dict]:
    return json.loads(_data("competencies.json").read_text(encoding="utf-8"))


@transaction.atomic
def reference_data_load(*, progress: bool = False) -> LoadResult:
    """Load or refresh all reference data. Returns how many rows each table now holds."""
    cpv = cpv_rows()
    regions = region_rows()
    competencies = competency_rows()
    total = len(cpv) + len(regions) + len(competencies)
    with tqdm(total=total, desc="Reference data", unit="rows", disable=not progress) as bar:
        _upsert(
            CpvCode,
            cpv,
            [
                "code_with_check_digit",
                "parent",
                "level",
                "division",
                "contract_type",
                "label_en",
                "label_nl",
            ],
            "code",
            bar,
        )
        _upsert(Region, regions, ["kind", "country", "parent", "label_en", "label_nl"], "code", bar)
        _load_competencies(competencies, bar)
    return LoadResult(
        cpv=CpvCode.objects.count(),
        regions=Region.objects.exclude(kind=Region.Kind.MUNICIPALITY).count(),
        municipalities=Region.objects.filter(kind=Region.Kind.MUNICIPALITY).count(),
        competencies=Competency.objects.count(),
    )


def _load_competencies(rows: Iterable[dict], bar: tqdm) -> None:
    rows = list(rows)
    by_slug: dict[str, Competency] = {}
    # Parents first, so children can point at them.
    ordered = sorted(rows, key=lambda r: r["parent"] is not None)
    for position, row in enumerate(rows, start=1):
        row["position"] = position
    for row in ordered:
        obj, _ = Competency.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "parent": by_slug.get(row["parent"]) if row["parent"] else None,
                "label_en": row["label_en"],
                "label_nl": row["label_nl"],
                "description_en": row.get("description_en", ""),
                "description_nl": row.get("description_nl", ""),
                "position": row["position"],
            },
        )
        by_slug[row["slug"]] = obj
        bar.update(1)


def competency_keywords() -> dict[str, list[str]]:
    """Search words per competency slug (NL and EN), from data/competencies.json."""
    return {row["slug"]: row.get("keywords", []) for row in competency_rows()}
