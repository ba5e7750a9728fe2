"""`manage.py run_imports`: the worker that imports large uploads in the background.

Run it beside the web server (a systemd service, or `--once` from cron every minute).
It claims the oldest waiting upload, imports it, and goes on until none waits; with
`--loop` it then waits `--sleep` seconds and looks again, until stopped.
"""

import time

from django.core.management.base import BaseCommand

from inventory.imports.jobs import import_job_claim, import_job_run


class Command(BaseCommand):
    help = "Import the uploads waiting to be imported in the background."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep looking until stopped")
        parser.add_argument("--sleep", type=float, default=2.0, help="seconds between looks")

    def handle(self, *args, **options):
        while True:
            upload = import_job_claim()
            if upload is not None:
                upload = import_job_run(upload)
                self.stdout.write(f"{upload.pk} {upload.file_name}: {upload.state}")
                continue
            if not options["loop"]:
                return
            time.sleep(options["sleep"])
