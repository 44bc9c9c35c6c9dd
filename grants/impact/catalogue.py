"""The metric catalogue the fund starts with (seeded by migration 0002; staff edit it in the admin afterwards)."""

# (key, label, unit, kind, aggregation, order)
DEFAULT_METRICS = [
    ("naloxone-kits-distributed", "Naloxone kits distributed", "kits", "count", "sum", 10),
    ("overdose-reversals-reported", "Overdose reversals reported", "reversals", "count", "sum", 20),
    ("people-reached", "People reached", "people", "count", "sum", 30),
    ("referrals-to-treatment", "Referrals to treatment", "referrals", "count", "sum", 40),
    ("drug-checking-samples-tested", "Drug-checking samples tested", "samples", "count", "sum", 50),
    ("peer-workers-employed", "Peer workers employed", "people", "count", "latest", 60),
    ("trainings-delivered", "Trainings delivered", "trainings", "count", "sum", 70),
]


def seed_metrics(Metric):
    """Create the default metrics that are missing. Never overwrites staff edits."""
    for key, label, unit, kind, aggregation, order in DEFAULT_METRICS:
        Metric.objects.get_or_create(
            key=key, defaults={"label": label, "unit": unit, "kind": kind, "aggregation": aggregation, "order": order}
        )
