from django.core.management.base import BaseCommand, CommandError

from fund.checks import run_ledger_checks


class Command(BaseCommand):
    help = "Verify the ledger's invariants (balanced transactions, no orphan money events, counters equal to entries). Exits non-zero on any problem."

    def handle(self, *args, **options):
        results = run_ledger_checks()
        problems = 0
        for name, found in results:
            if found:
                problems += len(found)
                self.stdout.write(self.style.ERROR(f"FAIL  {name}"))
                for problem in found[:50]:
                    self.stdout.write(f"      - {problem}")
                if len(found) > 50:
                    self.stdout.write(f"      ... and {len(found) - 50} more")
            elif options["verbosity"] >= 1:
                self.stdout.write(self.style.SUCCESS(f"ok    {name}"))
        if problems:
            raise CommandError(f"Ledger check failed: {problems} problem(s).")
        self.stdout.write(self.style.SUCCESS(f"Ledger check passed ({len(results)} checks)."))
