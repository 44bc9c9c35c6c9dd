"""Form pieces shared by every app: the money field people type amounts into."""

from django import forms
from django.core.exceptions import ValidationError

from portal.money import MoneyInputError, format_money_input, parse_money


class MoneyInput(forms.TextInput):
    """A text box (not type=number, which throws away "28,800") with the phone's decimal keypad.

    Shows a stored amount the way the active language writes it ("28,800.00"); what was typed is shown as typed."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "class": "money-input", **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "" or isinstance(value, bool):
            return super().format_value(value)
        try:
            return format_money_input(parse_money(value, allow_negative=True))
        except MoneyInputError:
            return str(value)  # not an amount (yet): give back exactly what was typed, next to its error


class MoneyField(forms.DecimalField):
    """An amount of money to the cent, read by portal.money.parse_money ("28,800", "$28,800.00", "28 800" all work).

    Negative amounts are refused unless `allow_negative=True`; min_value/max_value and max_digits still apply."""

    widget = MoneyInput

    def __init__(self, *, allow_negative=False, max_digits=14, decimal_places=2, **kwargs):
        self.allow_negative = allow_negative
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_money(value, allow_negative=self.allow_negative)
        except MoneyInputError as exc:
            raise ValidationError(exc.message, code=exc.code) from None

    def widget_attrs(self, widget):
        # DecimalField would add step/min/max for a number input; a text box takes only the keypad hint.
        return {"inputmode": "decimal"} if isinstance(widget, forms.TextInput) else super().widget_attrs(widget)
