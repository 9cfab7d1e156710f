"""Finding the documents to import: files, folders (recursively, in name order), .tar.gz
archives and gzipped files, as (name, bytes) pairs, read one at a time."""

from __future__ import annotations

import gzip
import tarfile
from collections.abc import Iterator
from pathlib import Path

from tenders.opendata.items import NoticeRejected

ARCHIVES = (".tar.gz", ".tgz", ".tar")
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024


def _matches(name: str, suffixes: tuple[str, ...]) -> bool:
    lower = name.lower()
    if lower.endswith(".gz") and not lower.endswith(ARCHIVES):
        lower = lower[:-3]
    return lower.endswith(suffixes)


def _decompress(name: str, data: bytes) -> bytes:
    if name.lower().endswith(".gz"):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise NoticeRejected(f"not a readable gzip file: {exc}") from None
    return data


def iter_documents(
    paths: list[str | Path], *, suffixes: tuple[str, ...]
) -> Iterator[tuple[str, bytes | NoticeRejected]]:
    """Yield (name, content) for every document under `paths` whose name ends with one of
    `suffixes` (also gzipped). Unreadable files yield (name, NoticeRejected)."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            yield str(path), NoticeRejected("no such file or folder")
            continue
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if p.is_file())
            for child in children:
                if _matches(child.name, suffixes) or child.name.lower().endswith(ARCHIVES):
                    yield from iter_documents([child], suffixes=suffixes)
            continue
        if path.name.lower().endswith(ARCHIVES):
            yield from _archive(path, suffixes)
            continue
        try:
            yield str(path), _decompress(path.name, path.read_bytes())
        except NoticeRejected as exc:
            yield str(path), exc
        except OSError as exc:
            yield str(path), NoticeRejected(f"cannot read: {exc.strerror or exc}")


def _archive(path: Path, suffixes: tuple[str, ...]) -> Iterator[tuple[str, bytes | NoticeRejected]]:
    try:
        archive = tarfile.open(path, "r:*")  # noqa: SIM115 - closed below, members read lazily
    except (tarfile.TarError, OSError) as exc:
        yield str(path), NoticeRejected(f"not a readable archive: {exc}")
        return
    with archive:
        for member in archive:
            if not member.isfile() or not _matches(member.name, suffixes):
                continue
            name = f"{path}:{member.name}"
            if member.size > MAX_DOCUMENT_BYTES:
                yield name, NoticeRejected("too large")
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            try:
                yield name, _decompress(member.name, handle.read())
            except NoticeRejected as exc:
                yield name, exc
