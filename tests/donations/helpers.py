import datetime as dt
from decimal import Decimal

from django.utils import timezone

from donations.models import Donation
from donations.services import donation_record
from tests.fixtures.environment import PerTestSequence

_references = PerTestSequence(start=1)  # TEST00000001 again in every test


def record(acting_user, *, amount="1000.00", donor=None, **extra) -> Donation:
    """Record a bank-transfer donation received yesterday through the real service."""
    fields = {
        "amount": Decimal(amount), "received_on": timezone.localdate() - dt.timedelta(days=1),
        "channel": Donation.Channel.BANK_TRANSFER, "bank_reference": f"TEST{next(_references):08d}",
        "donor": donor, "is_anonymous": donor is None,
    }
    fields.update(extra)
    return donation_record(acting_user=acting_user, **fields)
