"""What a new installation starts with for the council: its five member agencies and a majority
quorum, if none are recorded yet. Both stay editable in the admin (assistance/apps.py ensures them
after every migrate)."""
from django.db import transaction

from .models import CouncilMember, QuorumRule

COUNCIL_MEMBERS = ["市医疗保障局", "市民政局", "市总工会", "市红十字会", "市慈善总会"]


@transaction.atomic
def council_defaults_ensure(using: str = "default") -> None:
    """The five member agencies and a majority quorum, if none are recorded yet."""
    if not CouncilMember.objects.using(using).exists():
        CouncilMember.objects.using(using).bulk_create(
            CouncilMember(name=name, order=order) for order, name in enumerate(COUNCIL_MEMBERS, start=1))
    if not QuorumRule.objects.using(using).exists():
        QuorumRule.objects.using(using).create()
