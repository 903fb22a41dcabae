"""The e-mail channel: SMTP (smtplib), STARTTLS and credentials optional.

SMTP gives no delivery receipt: a message the server accepted (250 after DATA) counts as
delivered. Each message carries `Message-ID: <notification id@bianmin>`, so a re-send after a
crash between hand-over and record is recognisable as the same message downstream.
A 5xx refusal of the recipient or the message is permanent (parked at once); a 4xx, a timeout, a
lost connection, or a refused login, sender or STARTTLS (our set-up: fixed, it works again) is
retried. STARTTLS verifies the server's certificate (system CAs, or BIANMIN_SMTP_CA_FILE)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from services.notify.adapters.sms import SendFailed


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        username: str = "",
        password: str = "",
        timeout: float = 10.0,
        ca_file: str | None = None,
    ) -> None:
        self.host, self.port, self.sender, self.ca_file = host, port, sender, ca_file
        self.starttls, self.username, self.password, self.timeout = starttls, username, password, timeout

    @classmethod
    def from_settings(cls, settings) -> SmtpMailer | None:  # type: ignore[no-untyped-def]
        """None when no SMTP server is configured (BIANMIN_SMTP_HOST empty)."""
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username or "",
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else "",
            timeout=settings.smtp_timeout_seconds,
            ca_file=settings.smtp_ca_file or None,
        )

    def send(self, to: str, subject: str, text: str, ref: str) -> str:
        """Send one plain-text UTF-8 message; returns its Message-ID."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message_id = f"<{ref}@bianmin>"
        message["Message-ID"] = message_id
        message.set_content(text, charset="utf-8")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:  # the server's certificate is verified (system CAs or ca_file)
                    smtp.starttls(context=ssl.create_default_context(cafile=self.ca_file))
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except smtplib.SMTPDataError as exc:  # the message itself was refused
            raise SendFailed(f"SMTP server answered {exc.smtp_code}", permanent=exc.smtp_code >= 500) from exc
        except smtplib.SMTPResponseException as exc:  # login, sender, TLS: our set-up, retried once fixed
            raise SendFailed(f"SMTP server answered {exc.smtp_code}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            permanent = all(code >= 500 for code in codes)
            raise SendFailed(f"SMTP server refused the recipient ({codes})", permanent=permanent) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"SMTP server unreachable: {type(exc).__name__}") from exc
        return message_id
