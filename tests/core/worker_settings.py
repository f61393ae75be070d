"""Settings for a real `manage.py db_worker` started by tests/core/test_worker_process.py.

The test settings run tasks immediately; this worker needs the database queue. Emails are written
as files (one per message) into WORKER_EMAIL_FILE_PATH, each delayed by WORKER_EMAIL_DELAY seconds
to stand for a slow mail server, so that the test can stop the worker in the middle of its queue.
The database is the test's own, given by DATABASE_URL.
"""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "tests.core.worker_settings.SlowFileEmailBackend"
EMAIL_FILE_PATH = os.environ["WORKER_EMAIL_FILE_PATH"]
WORKER_EMAIL_DELAY = float(os.environ.get("WORKER_EMAIL_DELAY", "0"))


class SlowFileEmailBackend(FileEmailBackend):
    def send_messages(self, email_messages):
        time.sleep(WORKER_EMAIL_DELAY)
        return super().send_messages(email_messages)
