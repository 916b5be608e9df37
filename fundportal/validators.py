"""Limits every input shares, so a form, an API call or an import row is refused with a Chinese
message before the database could refuse it with an error page."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Model
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _

# A note, a reason or a description typed by a person: a few pages at most. TextField columns
# have no limit of their own, so this is theirs (install_text_limits).
TEXT_MAX_LENGTH = 5000
# Longer texts a person types: a meeting's minutes run to many pages.
TEXT_LIMITS = {"assistance.Meeting.minutes": 20_000, "assistance.Meeting.agenda": 20_000}
# Text the system writes and nobody types (a job's message, a statement's published JSON, whose
# hash is its identity): never cut or refused, however long.
SYSTEM_TEXT = frozenset({"assistance.SettlementImport.message", "assistance.ScreeningRun.message",
                         "disclosure.Statement.error", "disclosure.Statement.document"})

NUL_MESSAGE = _("不能包含空字符（NUL）")
PROJECT_APPS = frozenset({"fundportal", "donations", "assistance", "disclosure", "demo"})
# model → [(attname, validator)]: what the pre_save guard checks.
_TEXT_CHECKS: dict[type[Model], list[tuple[str, MaxLengthValidator]]] = {}


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


def _field_label(model: type[Model], field: models.Field) -> str:
    original = getattr(model, "instance_type", model)  # a simple_history record: its model's rules
    return f"{original._meta.label}.{field.name}"


def _is_project_model(model: type[Model]) -> bool:
    return model._meta.app_label in PROJECT_APPS


def unbounded_text_fields(model: type[Model]) -> list[models.Field]:
    """The model's text columns with no length of their own: TextFields, and CharFields without
    max_length (PostgreSQL allows them)."""
    return [field for field in model._meta.concrete_fields
            if isinstance(field, models.TextField) or (isinstance(field, models.CharField) and field.max_length is None)]


def install_text_limits() -> None:
    """Give every unbounded text column of the project's models a length limit, once the apps are
    ready: TEXT_MAX_LENGTH (or its TEXT_LIMITS entry), SYSTEM_TEXT excepted.

    As a default validator, like the date ranges (fundportal/dates.py): model forms (the admin),
    full_clean(), column_errors() and ModelInputSerializer apply it, and no migration changes. And
    as a pre_save guard, for a service that writes what a plain form or an API body handed it:
    an over-long text is a ValidationError naming the field, never a row of 200,000 characters."""
    from django.apps import apps

    _TEXT_CHECKS.clear()
    for model in apps.get_models(include_auto_created=True):
        if not _is_project_model(model):
            continue
        for field in unbounded_text_fields(model):
            label = _field_label(model, field)
            if label in SYSTEM_TEXT:
                continue
            validator = text_max_length_validator(TEXT_LIMITS.get(label, TEXT_MAX_LENGTH))
            field.default_validators = [*type(field).default_validators, validator]
            field.__dict__.pop("validators", None)  # the cached list, if anything read it already
            _TEXT_CHECKS.setdefault(model, []).append((field.attname, validator))
    pre_save.connect(_text_guard, dispatch_uid="fundportal_text_limits")


def install_nul_message() -> None:
    """Django's Chinese for "Null characters are not allowed." says something else (不允许是用空字符串,
    "using an empty string is not allowed"): every form and API field that refuses a NUL says so."""
    from django.core.validators import ProhibitNullCharactersValidator

    ProhibitNullCharactersValidator.message = NUL_MESSAGE


def text_limit(field: models.Field) -> int | None:
    """The installed limit of a text column (None: unlimited, system text)."""
    for validator in field.validators:
        if isinstance(validator, MaxLengthValidator):
            return validator.limit_value
    return None


def _text_guard(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    checks = _TEXT_CHECKS.get(sender)
    if not checks or raw:
        return
    errors = {}
    for attname, validator in checks:
        if update_fields is not None and attname not in update_fields and attname.removesuffix("_id") not in update_fields:
            continue
        value = getattr(instance, attname)
        if isinstance(value, str) and len(value) > validator.limit_value:
            try:
                validator(value)
            except ValidationError as exc:
                errors[attname] = exc.messages
    if errors:
        raise ValidationError(errors)
