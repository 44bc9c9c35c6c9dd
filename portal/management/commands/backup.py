from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create, default_destination


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or SQLite's online backup) and the local private and public files into a new "
        "folder with a manifest. Safe while the site runs. Copy the folder off the machine afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", default=None, help="Folder to write the backup in (default: BACKUP_DIR).")

    def handle(self, *args, to, **options):
        try:
            folder = backup_create(destination=Path(to) if to else default_destination())
        except (BackupError, OSError) as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
