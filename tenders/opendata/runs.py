"""One import run per source: find the documents, read them, write them, report.

Used by the management commands, seed_demo and the benchmark."""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tenders.opendata import funding, ocds
from tenders.opendata.items import ImportItem, NoticeRejected
from tenders.opendata.sources import iter_documents
from tenders.opendata.workers import read_eforms
from tenders.services.imports import ImportReport, items_import

EFORMS_SUFFIXES = (".xml",)
OCDS_SUFFIXES = (".json", ".jsonl", ".ndjson")
# Notices handed to the parsing processes at a time (one batch is parsed while the one before
# is written).
PARSE_BATCH = 256


def eforms_items(
    paths: list[str | Path], *, validate: bool = True, limit: int | None = None, workers: int = 1
) -> Iterator[ImportItem | tuple[str, NoticeRejected]]:
    """Read every eForms notice under `paths`. With workers > 1 and more than one batch of
    notices, they are parsed in that many processes while the caller writes (order is kept);
    fewer are parsed here, which is quicker than starting the processes."""

    def jobs():
        documents = iter_documents(paths, suffixes=EFORMS_SUFFIXES)
        for count, (name, content) in enumerate(documents):
            if limit is not None and count >= limit:
                return
            yield name, content, validate

    all_jobs = jobs()
    head = list(itertools.islice(all_jobs, PARSE_BATCH + 1))
    if workers <= 1 or len(head) <= PARSE_BATCH:
        for name, content, check in itertools.chain(head, all_jobs):
            yield (
                (name, content)
                if isinstance(content, NoticeRejected)
                else read_eforms((name, content, check))
            )
        return
    # Spawned, not forked: a forked child would share this process's database connection.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # One batch is parsed while the caller writes the one before.
        in_flight = None
        batch: list = []
        for job in itertools.chain(head, all_jobs):
            if isinstance(job[1], NoticeRejected):
                yield job[0], job[1]
                continue
            batch.append(job)
            if len(batch) >= PARSE_BATCH:
                results = pool.map(read_eforms, batch, chunksize=16)
                if in_flight is not None:
                    yield from in_flight
                in_flight, batch = results, []
        results = pool.map(read_eforms, batch, chunksize=16) if batch else None
        if in_flight is not None:
            yield from in_flight
        if results is not None:
            yield from results


def ocds_items(
    paths: list[str | Path], *, limit: int | None = None
) -> Iterator[ImportItem | tuple[str, NoticeRejected]]:
    """Read every OCDS file under `paths`, group releases per ocid (across files) and compile
    them. `limit` caps the number of ocids."""
    rejected: list[tuple[str, NoticeRejected]] = []

    def texts():
        for name, content in iter_documents(paths, suffixes=OCDS_SUFFIXES):
            if isinstance(content, NoticeRejected):
                rejected.append((name, content))
                continue
            try:
                yield name, content.decode("utf-8-sig")
            except UnicodeDecodeError:
                rejected.append((name, NoticeRejected("not UTF-8 text")))

    groups = ocds.group_releases(texts(), rejected=rejected)
    if limit is not None:
        groups = dict(list(groups.items())[:limit])
    yield from rejected
    yield from ocds.read_groups(groups)


def funding_items(
    paths: list[str | Path], *, limit: int | None = None
) -> Iterator[ImportItem | tuple[str, NoticeRejected]]:
    count = 0
    for name, content in iter_documents(paths, suffixes=(".json",)):
        if isinstance(content, NoticeRejected):
            yield name, content
            continue
        try:
            for entry in funding.read_calls(content, file_name=name):
                if limit is not None and count >= limit:
                    return
                count += 1
                yield entry
        except NoticeRejected as exc:
            yield name, exc


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def run(items, *, progress_total: int | None = None, show_progress: bool = False) -> ImportReport:
    """Write items with a tqdm progress bar when asked."""
    with _frozen_heap():
        if not show_progress:
            return items_import(items=items)
        from tqdm import tqdm

        with tqdm(total=progress_total, unit="notice", dynamic_ncols=True) as bar:
            return items_import(items=items, progress=bar.update)


@contextlib.contextmanager
def _frozen_heap():
    """An import makes millions of short-lived objects (rows, model instances), which sets off
    the garbage collector's full passes again and again; each walks every object of the
    process (Django, the loaded code, reference data). Objects that existed before the run are
    frozen for its duration, so those passes skip them: about a third of the run's time."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
