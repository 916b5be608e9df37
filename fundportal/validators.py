"""Limits every input shares, so a form, an API call or an import row is refused with a Chinese
message before the database could refuse it with an error page."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

# A note, a reason or a description typed by a person: a few pages at most. TextField columns
# have no limit of their own, so this is theirs.
TEXT_MAX_LENGTH = 5000


def text_max_length_validator(limit: int = TEXT_MAX_LENGTH) -> MaxLengthValidator:
    return MaxLengthValidator(limit, message=_("内容过长：最多 %(limit_value)d 个字符（当前 %(show_value)d 个）"))


def column_errors(model: type[Model], **values) -> dict[str, list[str]]:
    """Each value checked against its column's own validators (max_length, max_digits, the
    integer range, a date's range): the messages per field, for a service that writes without
    a form (an import row, an API call) to refuse in Chinese instead of failing in the database."""
    errors = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        if value is None or value == "" or field.is_relation:
            continue
        try:
            field.run_validators(field.to_python(value))
        except ValidationError as exc:
            errors[name] = exc.messages
    return errors
