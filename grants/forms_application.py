"""The application form, built from a published form definition (a list of question dicts, see FormQuestion.as_definition).

Answers are stored as JSON keyed by question id, in the same shape the browser sends them (strings, lists of strings,
budget rows), so a draft keeps whatever was typed and the full validation at submit re-runs the same form.
"""

import html
import re
from decimal import Decimal

from django import forms
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from portal.forms import MoneyField, MoneyInput
from portal.money import MoneyInputError, format_money_input, money, parse_money
from portal.sanitize import rich_text_from_input, rich_text_to_text

from .models import QuestionKind as K

BUDGET_EXTRA_ROWS = 3
BUDGET_MIN_ROWS = 5
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
BASICS_KEY = "_basics"


def field_name(key):
    return f"q_{key}"


def count_words(text: str) -> int:
    # Tags count as spaces: "<li>one</li><li>two</li>" is two words.
    return len(re.findall(r"\S+", html.unescape(re.sub(r"<[^>]*>", " ", text or ""))))


def localize_question(question: dict, language: str | None) -> dict:
    """A copy of the question in `language` when staff translated it (label, help text, choice labels), else as
    written. Choice values stay the English ones: answers, conditions and reports never depend on the language."""
    language = (language or get_language() or "en").split("-")[0]
    translated = (question.get("translations") or {}).get(language) or {}
    choices = question.get("choices") or []
    labels = translated.get("choices") or []
    localized = dict(question)
    localized["original_label"] = question["label"]
    localized["label"] = translated.get("label") or question["label"]
    localized["help_text"] = translated.get("help_text") or question.get("help_text", "")
    localized["choice_labels"] = labels if len(labels) == len(choices) else list(choices)
    localized["translated"] = bool(translated.get("label"))
    return localized


def localize_questions(questions: list[dict], language: str | None = None) -> list[dict]:
    return [localize_question(question, language) for question in questions]


def choice_pairs(question: dict) -> list[tuple[str, str]]:
    """(stored value, label shown) for a choice question, in the question's language when localized."""
    choices = question.get("choices") or []
    labels = question.get("choice_labels") or choices
    return list(zip(choices, labels, strict=False))


def choice_label(question: dict, value) -> str:
    return dict(choice_pairs(question)).get(value, value)


def split_steps(definition: list[dict]) -> list[dict]:
    """Split questions into steps at each section heading. Step 0 is always the project basics."""
    steps = [{"key": BASICS_KEY, "title": _("About your project"), "help_text": "", "questions": []}]
    current = None
    for question in definition:
        if question["kind"] == K.SECTION:
            current = {
                "key": question["key"],
                "title": question["label"],
                "help_text": question.get("help_text", ""),
                "questions": [],
            }
            steps.append(current)
            continue
        if current is None:
            current = {"key": "_questions", "title": _("Your application"), "help_text": "", "questions": []}
            steps.append(current)
        current["questions"].append(question)
    return steps


def is_visible(question: dict, answers: dict) -> bool:
    """'Show this question only if question X has answer Y' (for multiple choice: Y is among the answers)."""
    condition = question.get("show_if")
    if not condition:
        return True
    value = answers.get(condition["key"])
    wanted = (condition.get("value") or "").strip().lower()
    if isinstance(value, list):
        return wanted in [str(v).strip().lower() for v in value]
    return str(value or "").strip().lower() == wanted


def normalise_amount(text: str) -> str:
    """A typed amount as stored: "28,800" becomes "28800.00"; what cannot be read is kept as typed for its error."""
    try:
        return str(parse_money(text)) if text else text
    except MoneyInputError:
        return text


def budget_rows_from_data(key: str, data, normalise=False) -> list[dict]:
    rows, i = [], 0
    prefix = field_name(key)
    while f"{prefix}-{i}-amount" in data or f"{prefix}-{i}-category" in data:
        row = {part: (data.get(f"{prefix}-{i}-{part}") or "").strip() for part in ("category", "description", "amount")}
        if any(row.values()):
            if normalise:
                row["amount"] = normalise_amount(row["amount"])
            rows.append(row)
        i += 1
    return rows


def extract_answers(questions: list[dict], data) -> dict:
    """Read the raw answers of these questions from POST data, without validating (a draft keeps everything typed).

    Rich text is sanitised here, on save. File questions are handled separately (attachments)."""
    answers = {}
    for q in questions:
        kind, name = q["kind"], field_name(q["key"])
        if kind in (K.SECTION, K.FILE):
            continue
        if kind == K.BUDGET:
            answers[q["key"]] = budget_rows_from_data(q["key"], data, normalise=True)
        elif kind == K.MONEY and name in data:
            answers[q["key"]] = normalise_amount((data.get(name) or "").strip())
        elif kind == K.MULTIPLE_CHOICE:
            answers[q["key"]] = (
                [v for v in data.getlist(name) if v] if hasattr(data, "getlist") else list(data.get(name) or [])
            )
        elif kind == K.RICH_TEXT:
            answers[q["key"]] = rich_text_from_input(data.get(name, ""))
        elif name in data:
            answers[q["key"]] = (data.get(name) or "").strip()
    return answers


def budget_total(rows) -> Decimal:
    """The sum of the budget lines that are amounts (a line still being typed, like "12,3", counts as nothing yet)."""
    total = Decimal("0")
    for row in rows or []:
        try:
            total += parse_money(row.get("amount") or 0)
        except MoneyInputError:
            continue
    return money(total)


BUDGET_MATCHES = _("The budget matches the amount requested.")
BUDGET_MORE = _("The budget is %(amount)s more than the amount requested.")
BUDGET_LESS = _("The budget is %(amount)s less than the amount requested.")


def budget_summary(rows, requested_amount) -> dict:
    """The budget total and how far it is from the amount requested (positive: the budget is larger), in words too."""
    total = budget_total(rows)
    requested = money(requested_amount) if requested_amount is not None else None
    difference = money(total - requested) if requested is not None else None
    if difference is None:
        message = ""
    elif difference == 0:
        message = str(BUDGET_MATCHES)
    else:
        message = str(BUDGET_MORE if difference > 0 else BUDGET_LESS) % {"amount": format_money_input(abs(difference))}
    return {"total": total, "requested": requested, "difference": difference, "message": message}


class BudgetRowsField(forms.Field):
    """Validates a list of {category, description, amount} rows (rendered as a table of inputs by the template)."""

    def to_python(self, value):
        return value or []

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(_("Add at least one budget line."), code="required")
        for n, row in enumerate(value, start=1):
            if not row.get("category") or not row.get("amount"):
                raise forms.ValidationError(_("Line %(n)s needs a category and an amount.") % {"n": n})
            try:
                amount = parse_money(row["amount"])
            except MoneyInputError as exc:
                raise forms.ValidationError(
                    _("Line %(n)s: %(problem)s") % {"n": n, "problem": exc.message}, code=exc.code
                ) from None
            if amount <= 0:
                raise forms.ValidationError(_("Line %(n)s: the amount must be more than zero.") % {"n": n})


class ApplicationStepForm(forms.Form):
    """One step of the application (or, with all questions, the whole application for the final check).

    `strict=False` (saving a draft) checks formats and word limits only; `strict=True` (submitting) also requires answers.
    """

    def __init__(
        self,
        *args,
        questions,
        answers,
        application=None,
        strict=False,
        requested_amount=None,
        include_basics=False,
        attachments_by_key=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.strict = strict
        self.all_answers = answers
        self.requested_amount = requested_amount
        self.application = application
        self.attachments_by_key = attachments_by_key or {}
        self.include_basics = include_basics
        if include_basics:
            self.fields["title"] = forms.CharField(label=_("Project title"), max_length=200, required=strict)
            self.fields["summary"] = forms.CharField(
                label=_("Project summary"),
                widget=forms.Textarea(attrs={"rows": 4, "data-word-limit": 150}),
                required=strict,
                help_text=_("In up to 150 words."),
            )
            self.fields["requested_amount"] = MoneyField(
                label=_("Amount requested"), required=strict, min_value=Decimal("0.01")
            )
            if application is not None:
                rnd = application.round
                self.fields["requested_amount"].help_text = _("Between %(min)s and %(max)s.") % {
                    "min": format_money_input(rnd.min_request),
                    "max": format_money_input(rnd.max_request),
                }
                self.round = rnd
            for name in ("title", "summary", "requested_amount"):
                self.fields[name].required_to_submit = True
        for q in questions:
            if q["kind"] == K.SECTION:
                continue
            required = strict and q.get("required") and is_visible(q, answers)
            self._add_question(q, required)

    def _add_question(self, q, required):
        kind, name = q["kind"], field_name(q["key"])
        attrs = {"data-question": q["key"]}
        if q.get("show_if"):
            attrs.update({"data-show-if-key": q["show_if"]["key"], "data-show-if-value": q["show_if"]["value"]})
        common = {"label": q["label"], "help_text": q.get("help_text", ""), "required": required}
        if kind == K.SHORT_TEXT:
            field = forms.CharField(max_length=300, widget=forms.TextInput(attrs=attrs), **common)
        elif kind in (K.LONG_TEXT, K.RICH_TEXT):
            if q.get("word_limit"):
                attrs["data-word-limit"] = q["word_limit"]
            if kind == K.RICH_TEXT:
                # static/js/rich-text.js puts a formatting editor on it; without JavaScript it stays a plain
                # textarea (rich_text_from_input turns blank lines into paragraphs).
                attrs["data-rich-text"] = "1"
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, **attrs}), **common)
        elif kind == K.NUMBER:
            field = forms.DecimalField(max_digits=14, decimal_places=2, widget=forms.NumberInput(attrs=attrs), **common)
        elif kind == K.MONEY:
            field = MoneyField(min_value=0, widget=MoneyInput(attrs=attrs), **common)
        elif kind == K.DATE:
            field = forms.DateField(widget=forms.DateInput(attrs={"type": "date", **attrs}), **common)
        elif kind == K.SINGLE_CHOICE:
            field = forms.ChoiceField(choices=choice_pairs(q), widget=forms.RadioSelect(attrs=attrs), **common)
        elif kind == K.MULTIPLE_CHOICE:
            field = forms.MultipleChoiceField(
                choices=choice_pairs(q),
                widget=forms.CheckboxSelectMultiple(attrs=attrs),
                **common,
            )
        elif kind == K.YES_NO:
            field = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect(attrs=attrs), **common)
        elif kind == K.FILE:
            field = forms.FileField(
                required=False,
                label=q["label"],
                help_text=q.get("help_text", ""),
                widget=forms.ClearableFileInput(attrs=attrs),
            )
            field.question_required = required
        elif kind == K.BUDGET:
            field = BudgetRowsField(**common)
        else:  # an unknown kind from a future form version: keep the answer as text
            field = forms.CharField(**common)
        field.question = q
        # Drafts validate nothing, but still show which answers submitting will need (the one required marker).
        field.required_to_submit = bool(q.get("required"))
        self.fields[name] = field

    def _clean_fields(self):
        # Budget rows are not one input: read and check them ourselves, then let Django clean the rest.
        for name, field in self.fields.items():
            if isinstance(field, BudgetRowsField):
                value = budget_rows_from_data(field.question["key"], self.data)
                try:
                    field.clean(value)
                    self.cleaned_data[name] = value
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        budget_names = {n for n, f in self.fields.items() if isinstance(f, BudgetRowsField)}
        saved = {n: self.fields.pop(n) for n in budget_names}
        try:
            super()._clean_fields()
        finally:
            self.fields.update(saved)

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            q = getattr(field, "question", None)
            if q is None:
                continue
            value = data.get(name)
            if q.get("word_limit") and isinstance(value, str):
                words = count_words(value)
                if words > q["word_limit"]:
                    self.add_error(
                        name,
                        ngettext(
                            "Please keep this to %(limit)d word (you have %(count)d).",
                            "Please keep this to %(limit)d words (you have %(count)d).",
                            q["word_limit"],
                        )
                        % {"limit": q["word_limit"], "count": words},
                    )
            if (
                q["kind"] == K.FILE
                and getattr(field, "question_required", False)
                and not self.attachments_by_key.get(q["key"])
                and not self.files.get(name)
            ):
                self.add_error(name, _("Please upload a file."))
            if q["kind"] == K.BUDGET and value and self.requested_amount is not None and self.strict:
                total = budget_total(value)
                if total != money(self.requested_amount):
                    self.add_error(
                        name,
                        _("The budget adds up to %(total)s but you are requesting %(requested)s. They must match.")
                        % {
                            "total": format_money_input(total),
                            "requested": format_money_input(self.requested_amount),
                        },
                    )
        if self.include_basics and data.get("requested_amount") is not None and hasattr(self, "round"):
            amount = data["requested_amount"]
            if amount > self.round.max_request:
                self.add_error(
                    "requested_amount",
                    _("This round funds up to %(max)s.") % {"max": format_money_input(self.round.max_request)},
                )
            elif amount < self.round.min_request:
                self.add_error(
                    "requested_amount",
                    _("This round funds at least %(min)s.") % {"min": format_money_input(self.round.min_request)},
                )
        if self.include_basics and data.get("summary") and count_words(data["summary"]) > 150:
            self.add_error(
                "summary",
                _("Please keep the summary to 150 words (you have %(count)d).")
                % {"count": count_words(data["summary"])},
            )
        return data

    def _requested_for_summary(self):
        if self.is_bound and "requested_amount" in self.fields:
            try:
                return parse_money(self.data.get("requested_amount") or "")
            except MoneyInputError:
                return None
        return self.application.requested_amount if self.application is not None else self.requested_amount

    def blocks(self):
        """(question, bound field, budget rows) for the template, in order."""
        out = []
        for name, field in self.fields.items():
            q = getattr(field, "question", None)
            rows = stored = None
            if q and q["kind"] == K.BUDGET:
                stored = budget_rows_from_data(q["key"], self.data) if self.is_bound else self.all_answers.get(q["key"])
                # Amounts shown the way the applicant's language writes them; an unreadable one exactly as typed.
                rows = [{**row, "amount": display_amount(row.get("amount"))} for row in stored or []]
                target = max(BUDGET_MIN_ROWS, len(rows) + BUDGET_EXTRA_ROWS)
                rows += [{"category": "", "description": "", "amount": ""}] * (target - len(rows))
            out.append(
                {
                    "question": q,
                    "field": self[name],
                    "budget_rows": rows,
                    "budget_summary": budget_summary(stored, self._requested_for_summary())
                    if rows is not None
                    else None,
                    "attachments": self.attachments_by_key.get(q["key"], []) if q else [],
                    "hidden": bool(q) and not is_visible(q, self.all_answers),
                }
            )
        return out


def answers_to_data(questions: list[dict], answers: dict, application=None) -> dict:
    """Turn stored answers back into form data, so the full check runs the same form the applicant filled in."""
    from django.utils.datastructures import MultiValueDict

    data = MultiValueDict()
    if application is not None:
        data["title"] = application.title or ""
        data["summary"] = application.summary or ""
        data["requested_amount"] = "" if application.requested_amount is None else str(application.requested_amount)
    for q in questions:
        kind, name, value = q["kind"], field_name(q["key"]), answers.get(q["key"])
        if kind in (K.SECTION, K.FILE) or value is None:
            continue
        if kind == K.BUDGET:
            for i, row in enumerate(value):
                for part in ("category", "description", "amount"):
                    data[f"{name}-{i}-{part}"] = row.get(part, "")
        elif kind == K.MULTIPLE_CHOICE:
            data.setlist(name, list(value))
        else:
            data[name] = value
    return data


def display_amount(value) -> str:
    """A stored amount formatted ("28800.00" as "28,800.00"); an unreadable one as it was typed."""
    return MoneyInput().format_value(value) or ""


def display_answer(question: dict, value) -> str:
    """Plain-text rendering of an answer for diffs, PDF and CSV (rich text keeps its words, not its markup)."""
    if value in (None, "", []):
        return ""
    kind = question["kind"]
    if kind == K.BUDGET:
        lines = [
            f"{r.get('category', '')}: {r.get('description', '')} {display_amount(r.get('amount', ''))}".strip()
            for r in value
        ]
        return "\n".join(lines + [str(_("Total: %(total)s") % {"total": format_money_input(budget_total(value))})])
    if kind == K.MONEY:
        return display_amount(value)
    if kind == K.MULTIPLE_CHOICE:
        return ", ".join(str(choice_label(question, item)) for item in value)
    if kind == K.SINGLE_CHOICE:
        return str(choice_label(question, value))
    if kind == K.RICH_TEXT:
        return rich_text_to_text(str(value))
    if kind == K.YES_NO:
        return str(_("Yes")) if value == "yes" else str(_("No")) if value == "no" else str(value)
    if kind == K.FILE:
        return ", ".join(v.get("name", "") for v in value) if isinstance(value, list) else str(value)
    return str(value)
