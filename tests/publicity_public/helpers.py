"""The families of the test 公示 (conftest.py `posted`), what the public must never read about
them, and how a page is read as text."""
import datetime as dt
import io
import re

from pypdf import PdfReader

from assistance.models import InsuredPerson, Publicity
from tests.fixtures.factories import make_resident_id

PEOPLE = [  # name, village key, out of pocket, phone, account
    ("王建国", "hantian", "55000", "13905771234", "6228480012349876501"),
    ("陈美玲", "hantian", "35000", "13705779876", "6228480012349876502"),
    ("欧阳晓峰", "shadu", "45000", "15805775555", "6228480012349876503"),
    ("林小芳", "xincheng_village", "25000", "18905770001", "6228480012349876504"),
]


def person(name: str, region, seed: int) -> InsuredPerson:
    birth = dt.date(1958, 3, seed)
    return InsuredPerson.objects.create(resident_id=make_resident_id(700 + seed, birth=birth), name=name, sex="M",
                                        birth_date=birth, region=region, is_local=True)


def secrets_of(publicity: Publicity) -> set[str]:
    """Everything about the families the public must never read."""
    found = set()
    for application in publicity.applications:
        person_ = application.person
        found |= {person_.name, person_.resident_id, application.phone, application.account_number,
                  application.account_number[-8:], application.number, application.lookup_code or ""}
        found |= {member.resident_id for member in application.members.all() if member.resident_id}
    found.discard("")
    return found


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def pdf_text(data: bytes) -> str:
    """The text of a PDF, without whitespace (extraction breaks lines and spaces out titles)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def visible(html: str) -> str:
    """A page's text without its tags, spaces collapsed: what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
