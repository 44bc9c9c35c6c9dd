from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal import demo

# Order matters: each section may use what earlier ones put into ctx.objects.
SECTIONS = [
    "applicants.demo",
    "fund.demo",
    "grants.demo",
    "grants.review.demo",
    "grants.awards.demo",
    "grants.impact.demo",
    "grants.awards.demo_payments",
    "fund.donations.demo",
    "fund.donations.demo_canada",
    "grants.awards.demo_funding",
    "cms.demo",
]


class Command(BaseCommand):
    help = "Build the Millbrook demo fund. Deterministic and idempotent: running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_ALLOWED", False):
            raise CommandError(
                "seed_demo only runs with development or test settings (DEMO_ALLOWED is off here): "
                "the demo's fictional people, gifts and grants must never reach a real fund's database."
            )
        ctx = demo.DemoContext()
        with transaction.atomic():
            demo.seed(ctx)
            for dotted in SECTIONS:
                try:
                    module = import_module(dotted)
                except ModuleNotFoundError as exc:
                    if exc.name == dotted:
                        continue
                    raise
                module.seed(ctx)
        created = ", ".join(f"{n} {label}" for label, n in sorted(ctx.created.items())) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Demo fund ready ({created})."))
        if not options["quiet_logins"]:
            self.stdout.write(demo.login_table())
