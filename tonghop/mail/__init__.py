"""E-mail: validation reports to units, notices and digests to the data officer, reminders, via an outbox."""
from tonghop.mail.build import (
    DigestRow, build_digest, build_reminder, build_report_message, build_unknown_sender_notice,
)
from tonghop.mail.outbox import enqueue, mark_failed, mark_sent, pending
from tonghop.mail.queue import queue_report
from tonghop.mail.recipients import recipients_for
from tonghop.mail.reminders import digest_rows, queue_digest, queue_reminders, units_missing
from tonghop.mail.send import DeliveryResult, deliver_pending
from tonghop.mail.settings import SmtpSettings

__all__ = [
    "DeliveryResult", "DigestRow", "SmtpSettings", "build_digest", "build_reminder", "build_report_message",
    "build_unknown_sender_notice", "deliver_pending", "digest_rows", "enqueue", "mark_failed", "mark_sent",
    "pending", "queue_digest", "queue_reminders", "queue_report", "recipients_for", "units_missing",
]
