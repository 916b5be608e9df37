"""Where a notice goes: the backend named by settings.NOTICE_BACKEND (a dotted path).

A backend sends one message and says what became of it, as an Outcome; it never touches the
outbox (fundportal/notices/sending.py does). The four outcomes are what the outbox must tell apart:

- SENT: the provider took it;
- RETRY: the provider did not take it and said so, or it was never reached (throttled, busy, the
  connection refused): sending again later cannot send it twice;
- REJECTED: it will never be taken as it is (template not approved, wrong number, bad signature,
  wrong credentials): failed at once, staff read the reason;
- UNCERTAIN: the provider was reached but did not answer (a read timeout, the connection cut
  mid-answer): it may have delivered the message, so it is never sent again automatically.

ConsoleBackend (the default, the demo) prints one line per message; FileBackend appends JSON lines
(NOTICE_FILE_PATH); fundportal.notices.tencent.TencentSmsBackend sends through Tencent Cloud SMS.
Phones are masked in everything these write: the number is only ever handed to a real provider.
"""
import json
import sys
import threading
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from fundportal.masking import mask_phone

SENT, RETRY, REJECTED, UNCERTAIN = "sent", "retry", "rejected", "uncertain"


@dataclass(frozen=True)
class SmsMessage:
    notice_id: int
    phone: str
    template: str  # our code (templates.py)
    provider_template: str  # the provider's code for it (settings.NOTICE_TEMPLATE_CODES)
    params: dict
    ordered_params: list[str]  # the values in the template's order (Tencent's TemplateParamSet)
    text: str  # rendered, as the family reads it

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


@dataclass(frozen=True)
class Outcome:
    kind: str  # SENT, RETRY, REJECTED or UNCERTAIN
    reason: str = ""  # in Chinese, for staff: why it was not sent
    code: str = ""  # the provider's answer code (Ok, LimitExceeded.…)
    message_id: str = ""  # the provider's id for the message (its serial number)
    detail: str = field(default="", repr=False)  # the provider's own words, masked before storing

    def reply_text(self) -> str:
        """What the outbox keeps as the provider's reply (at most 500 characters)."""
        parts = [self.reason, f"{self.code}：{self.detail}" if self.detail else self.code]
        return "；".join(p for p in parts if p)[:500]


def backend_get():
    """A fresh instance of the configured backend (settings are read when it is made)."""
    return import_string(settings.NOTICE_BACKEND)()


@checks.register()
def notice_backend_check(app_configs=None, **kwargs) -> list:
    """At start: the configured backend can be made (a provider's credentials are all set), and a
    send's lease outlasts the provider's timeout (else a slow answer is taken for a dead worker)."""
    errors = []
    try:
        backend_get()
    except (ImproperlyConfigured, ImportError) as exc:
        errors.append(checks.Error(f"NOTICE_BACKEND {settings.NOTICE_BACKEND!r} cannot be used: {exc}",
                                   id="fundportal.E201"))
    if settings.NOTICE_SENDING_LEASE_SECONDS <= settings.NOTICE_SMS_TIMEOUT:
        errors.append(checks.Warning("NOTICE_SENDING_LEASE_SECONDS should be well above NOTICE_SMS_TIMEOUT",
                                     id="fundportal.W201"))
    return errors


def backend_name(backend) -> str:
    return getattr(backend, "name", type(backend).__name__)[:40]


class ConsoleBackend:
    """Prints one line per message: the masked phone and the text (the demo reads it there)."""

    name = "console"
    stream = None  # sys.stdout when it is printed (so a test's capture sees it)

    def send(self, message: SmsMessage) -> Outcome:
        stream = self.stream or sys.stdout
        stream.write(f"[短信] {message.masked_phone} {message.template}：{message.text}\n")
        stream.flush()
        return Outcome(SENT, code="console", message_id=f"console-{message.notice_id}")


class FileBackend:
    """Appends one JSON line per message to settings.NOTICE_FILE_PATH (phone masked)."""

    name = "file"
    _lock = threading.Lock()  # one line at a time from the threads of one process

    def send(self, message: SmsMessage) -> Outcome:
        message_id = f"file-{uuid.uuid4().hex[:12]}"
        line = json.dumps({"id": message_id, "notice": message.notice_id, "time": timezone.now().isoformat(),
                           "phone": message.masked_phone, "template": message.template,
                           "provider_template": message.provider_template, "params": message.params,
                           "text": message.text}, ensure_ascii=False)
        with self._lock, open(settings.NOTICE_FILE_PATH, "a", encoding="utf-8") as out:
            out.write(line + "\n")
        return Outcome(SENT, code="file", message_id=message_id)
