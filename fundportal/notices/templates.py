"""The SMS templates, as data. Chinese providers send only registered templates with named
parameters: each template here has its text (what the console backend prints and staff read on
the case) and its parameters; the provider's template code comes from settings
(NOTICE_TEMPLATE_CODES), so registering a template with a provider is configuration, not code."""
import string
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


# Written into the registered template itself, never sent as a parameter: Tencent Cloud refuses a web
# address in a parameter (InvalidParameterValue.ProhibitedUseUrlInTemplateParameter), so a link is
# the site's address (settings.SITE_URL, as registered with the provider) and a fixed path.
FIXED = {"site"}


def fixed_values() -> dict:
    return {"site": settings.SITE_URL}


@dataclass(frozen=True)
class Template:
    code: str
    text: str  # with {name} placeholders: the parameters, and {site} (FIXED)
    name: str = ""  # what staff read in lists (申请已受理); the code if none

    @property
    def params(self) -> set[str]:
        return set(self.param_order)

    @property
    def param_order(self) -> list[str]:
        """The parameters in the order the text names them: Tencent Cloud numbers a registered
        template's parameters ({1}, {2}, …), so its template must name them in this order."""
        names = [name for _, name, _, _ in string.Formatter().parse(self.text) if name and name not in FIXED]
        return list(dict.fromkeys(names))

    @property
    def label(self) -> str:
        return self.name or self.code

    def render(self, params: dict) -> str:
        return self.text.format(**params, **fixed_values())


TEMPLATES: dict[str, Template] = {}


def template_add(code: str, text: str, *, name: str = "") -> Template:
    template = TEMPLATES[code] = Template(code, text, name)
    return template


def template_label(code: str) -> str:
    """A template's name for staff, or its code (a template no longer registered)."""
    template = TEMPLATES.get(code)
    return template.label if template else code


def template_check(code: str, params: dict) -> Template:
    """The template, once its parameters are exactly the ones it names (a programming error otherwise)."""
    try:
        template = TEMPLATES[code]
    except KeyError:
        raise ImproperlyConfigured(f"unknown notice template {code!r}") from None
    if set(params) != template.params:
        raise ImproperlyConfigured(f"notice template {code!r} takes {sorted(template.params)}, got {sorted(params)}")
    if any("://" in str(value) for value in params.values()):
        raise ImproperlyConfigured(f"notice template {code!r}: a web address goes in the text ({{site}}), not a parameter")
    return template


def provider_template_code(code: str) -> str:
    """The provider's code for a template (settings.NOTICE_TEMPLATE_CODES), or our own code."""
    return getattr(settings, "NOTICE_TEMPLATE_CODES", {}).get(code, code)
