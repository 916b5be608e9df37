"""How a permission is named to people: one rule for the user and group admin's permission
widgets, the history pages and the audit trail.

Django stores a permission's name once, in English, when migrate creates it ("Can view
historical 收支公示", "Can add content type"), and prints it as "app | model | name". Here it
is named at display time from what it is about, in the active language: "收支公示 · 可查看",
"收支公示（历史记录） · 可修改", "导出记录 · 可查看并导出审计日志" (a permission of the model's
own Meta.permissions, by its translated wording).
"""
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DEFAULT_ACTIONS = {"view": _("可查看"), "add": _("可新增"), "change": _("可修改"), "delete": _("可删除")}


def model_label(model) -> str:
    """A model's name in the active language. A history model (django-simple-history names it
    "historical 收支公示", with no catalogue entry to translate) reads "收支公示（历史记录）"; the
    table behind a many-to-many field reads "用户的组"."""
    instance_type = getattr(model, "instance_type", None)
    if instance_type is not None:
        return gettext("%(name)s（历史记录）") % {"name": model_label(instance_type)}
    owner = model._meta.auto_created
    if owner:
        field = next((f for f in owner._meta.many_to_many if f.remote_field.through is model), None)
        if field is not None:
            return gettext("%(model)s的%(field)s") % {"model": owner._meta.verbose_name, "field": field.verbose_name}
    return str(model._meta.verbose_name)


def permission_label(permission) -> str:
    """One permission as people read it: "<model> · <what it allows>", in the active language."""
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(permission.content_type_id).model_class()  # cached: no query each
    if model is None:  # a model no longer installed: only the stored name is left
        return permission.name
    action, _sep, model_name = permission.codename.partition("_")
    if model_name == model._meta.model_name and action in DEFAULT_ACTIONS:
        allows = DEFAULT_ACTIONS[action]
    else:
        allows = dict(model._meta.permissions).get(permission.codename) or permission.name
    return f"{model_label(model)} · {allows}"
