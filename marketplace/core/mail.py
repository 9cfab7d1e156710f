"""Embedded email: every message is saved as one .eml file under var/mail and printed."""

from __future__ import annotations

import sys
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class FileAndConsoleBackend(BaseEmailBackend):
    """Writes each message, with all its headers, to MAIL_DIR/<time>-<id>.eml and prints a summary.

    Open the files with any mail program; `make run` tells where they are.
    """

    _lock = threading.Lock()

    def __init__(self, *args, directory: str | None = None, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = Path(directory or settings.EMAIL_MAIL_DIR)
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = self.directory / f"{stamp}-{uuid.uuid4().hex[:10]}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            with self._lock:
                self.stream.write(
                    f"[mail] To: {', '.join(message.recipients())} | {message.subject}\n"
                    f"       saved as {path}\n"
                )
                self.stream.flush()
            sent += 1
        return sent
