"""An email backend that hangs while sending (after touching BLOCKING_EMAIL_FLAG), so a test can kill the worker
in the middle of handing a mail over."""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        Path(os.environ["BLOCKING_EMAIL_FLAG"]).touch()
        while True:
            time.sleep(1)
