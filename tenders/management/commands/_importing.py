"""Shared by the import commands: run, print the problems and the summary."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tenders.services.imports import ImportReport


def print_report(command: BaseCommand, report: ImportReport, *, max_problems: int = 200) -> None:
    for file_name, kind, reason in report.problems[:max_problems]:
        command.stderr.write(f"{kind.upper()}: {file_name}: {reason}")
    if len(report.problems) > max_problems:
        command.stderr.write(f"... and {len(report.problems) - max_problems} more problems")
    style = command.style.SUCCESS if not report.invalid else command.style.WARNING
    command.stdout.write(style(report.summary()))
