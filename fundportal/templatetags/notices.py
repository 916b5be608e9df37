"""{% load notices %}{% notices_table obj %}: the SMS notices of a case, as a small table
(templates/includes/notices.html, phones masked)."""
from django import template

from fundportal.notices.selectors import notice_lines

register = template.Library()


@register.inclusion_tag("includes/notices.html")
def notices_table(obj):
    return {"notices": notice_lines(obj)}
