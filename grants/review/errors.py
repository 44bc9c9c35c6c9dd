"""The review process's own exception, one layer below every module that raises or catches it."""


class ReviewError(Exception):
    """A review action that is not possible now. The message is shown to the user."""
