from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `manage.py backup`: the database and the local files are REPLACED. Stop the "
        "web servers, workers, consumers and scheduler first. Without --yes it only checks the backup. Runs "
        "ledger_check afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="Really replace the database and files.")
        parser.add_argument("--database-url", help="Restore into this database instead (e.g. a drill).")
        parser.add_argument("--files-to", help="Restore the files under this folder instead.")

    def handle(self, *args, folder, yes, database_url, files_to, **options):
        try:
            manifest = backup_verify(folder)
        except (BackupError, OSError, KeyError, ValueError) as exc:
            raise CommandError(f"Not a usable backup: {exc}") from exc
        self.stdout.write(f"Backup of {manifest['created_at']}: rows {manifest['rows']}")
        if not yes:
            self.stdout.write("Checked. Run again with --yes to replace the database and files with it.")
            return
        try:
            backup_restore(folder=folder, database_url=database_url, files_to=files_to)
        except (BackupError, OSError) as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        self.stdout.write(self.style.SUCCESS("Restored."))
        if not database_url:
            call_command("ledger_check", stdout=self.stdout)
