"""SMTP delivery that does not send a message twice when the sender dies half-way.

SMTP has one moment at which the server takes responsibility for a message: its reply to the
final "." of DATA. A sender that marks a message as sent only after that reply resends it when
it dies in between, and the recipient gets it twice. `SmtpSender.send` therefore calls
`before_final_dot()` (which commits "sent" to the database) after the server has received the
whole message and before the terminating "." is written. If the sender dies before the commit,
the server never saw the end of the message and discards it, so a resend is correct. The
remaining window lies between that commit and one small socket write. If the server then rejects
the message, the caller is told (SMTPDataError) and can undo its mark.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable

from django.conf import settings
from django.core.mail.message import EmailMessage, sanitize_address

CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")
_BARE_NEWLINE = re.compile(rb"\r\n|\r|\n")


class SmtpSender:
    """One SMTP connection, reused for many messages (use as a context manager)."""

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool | None = None,
        use_ssl: bool | None = None,
        timeout: float | None = None,
    ):
        self.host = host or settings.EMAIL_HOST
        self.port = int(port or settings.EMAIL_PORT)
        self.username = settings.EMAIL_HOST_USER if username is None else username
        self.password = settings.EMAIL_HOST_PASSWORD if password is None else password
        self.use_tls = settings.EMAIL_USE_TLS if use_tls is None else use_tls
        self.use_ssl = settings.EMAIL_USE_SSL if use_ssl is None else use_ssl
        self.timeout = timeout or getattr(settings, "EMAIL_TIMEOUT", None) or 20
        self.connection: smtplib.SMTP | None = None

    def open(self) -> None:
        if self.connection is not None:
            return
        cls = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        kwargs = {"timeout": self.timeout}
        if self.use_ssl:
            kwargs["context"] = ssl.create_default_context()
        connection = cls(self.host, self.port, **kwargs)
        # The final "." goes out as its own small write after the database commit; without
        # TCP_NODELAY, Nagle's algorithm holds it until the server acknowledges the body, which
        # the server delays (delayed ACK): about 40 ms lost per message.
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.use_tls:
            connection.starttls(context=ssl.create_default_context())
        if self.username and self.password:
            connection.login(self.username, self.password)
        self.connection = connection

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            with contextlib.suppress(OSError):
                self.connection.close()
        self.connection = None

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(
        self, message: EmailMessage, *, before_final_dot: Callable[[], None] | None = None
    ) -> None:
        """Send one message. Raises smtplib errors: SMTPRecipientsRefused (permanent for that
        address), SMTPResponseException with `smtp_code` (4xx transient, 5xx permanent), or
        OSError (no connection). After an error the connection is closed."""
        self.open()
        conn = self.connection
        assert conn is not None
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in message.recipients()]
        data = message.message().as_bytes(linesep="\r\n")
        try:
            conn.ehlo_or_helo_if_needed()
            code, reply = conn.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            refused = {}
            for rcpt in recipients:
                code, reply = conn.rcpt(rcpt)
                if code not in (250, 251):
                    refused[rcpt] = (code, reply)
            if len(refused) == len(recipients):
                raise smtplib.SMTPRecipientsRefused(refused)
            code, reply = conn.docmd("data")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            body = _LEADING_DOT.sub(b"..", _BARE_NEWLINE.sub(CRLF, data))
            if not body.endswith(CRLF):
                body += CRLF
            conn.send(body)
            if before_final_dot is not None:
                before_final_dot()
            conn.send(b"." + CRLF)
            code, reply = conn.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except BaseException:
            # Never leave a half-sent DATA on a connection we reuse: drop it, the server
            # discards a message whose final "." it never received.
            with contextlib.suppress(OSError):
                conn.close()
            self.connection = None
            raise


def smtp_is_configured() -> bool:
    return settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
