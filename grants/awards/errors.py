"""The awards app's refusals, one layer below its services (award lifecycle, funding sources, payments)."""


class AwardError(Exception):
    """The award cannot change this way. The message is shown to the user."""


class InsufficientFunds(AwardError):
    """Committing the amount would exceed the fund's available money or the round's remaining budget."""
