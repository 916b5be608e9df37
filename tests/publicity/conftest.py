"""What the 公示 and objection tests start from: a signed resolution whose 公示 is running
(`publicity_running`) or over (`signed`, tests/fixtures/council.py), and one objection against its first
entry, recorded at the counter by the clerk (`objection`).

Both applicants live in 塘下镇 (the `town` fixture): cab_town and cab_city handle their
objections, other_town (莘塍街道) must be refused, and cab_village (韩田村) sees nothing of them.
"""
import pytest

from assistance.council.services import resolution_draft_payouts, resolution_sign
from assistance.publicity.services import objection_record
from tests.fixtures.council import fund, meeting_with_quorum, ready_application

from .helpers import entry_of, yesterday


@pytest.fixture
def publicity_running(secretary, clerk, town, scheme, finance_a):
    """Signed today, 公示 running: (resolution, first 35,000, second 21,000)."""
    fund("100000", finance_a)
    first = ready_application(clerk, town, out_of_pocket="55000")
    second = ready_application(clerk, town, out_of_pocket="35000")
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    return resolution_sign(resolution=draft, acting_user=secretary), first, second


@pytest.fixture
def objection(signed, clerk):
    """Phoned in on the 公示's last day against the first entry, recorded by the clerk."""
    _resolution, first, _second = signed
    return objection_record(entry=entry_of(first), channel="phone", content="该户家中有经营性车辆，收入较高",
                            received_on=yesterday(), acting_user=clerk, objector_name="王小明",
                            contact="13812345678")
