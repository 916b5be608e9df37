"""How fast the MSB's admin pages answer on a city-sized database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB .venv/bin/python benchmarks/admin_lists.py [--repeat 5]

DB must already hold a year of settlements (for example the scratch database of
`benchmarks/screening.py --rows 10000000 --keep-db`: 10 M settlement rows, 1.4 M people, the demo
users). Each page is requested through Django's test client as the user `msb` (requests are
rendered in full: templates, queries, masking), `--repeat` times after one warm-up request;
the median and the slowest are printed, and the last line is JSON. Target (DESIGN.md): every
page under 500 ms.
"""
import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundportal.settings")
os.environ.setdefault("DEBUG", "True")  # the test client's host; templates as in development

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from assistance.models import InsuredPerson, SettlementRecord  # noqa: E402
from fundportal.models import Region, User  # noqa: E402


def pages(year: int) -> list[tuple[str, str, str, dict]]:
    """(label, method, url, data) of the pages the MSB uses on big tables."""
    person = InsuredPerson.objects.order_by("-id").first()
    settlement = SettlementRecord.objects.filter(year=year).order_by("-id").first()
    town = Region.objects.filter(level=Region.Level.TOWN).order_by("code").first()
    people = reverse("admin:assistance_insuredperson_changelist")
    settlements = reverse("admin:assistance_settlementrecord_changelist")
    return [
        ("people: first page", "get", people, {}),
        ("people: deceased", "get", people, {"is_deceased__exact": "1"}),
        ("people: exact name (POST search)", "search", people, {"q": person.name}),
        ("people: page 50", "get", people, {"p": "50"}),
        ("people: find by ID number (POST)", "post", reverse("admin:assistance_insuredperson_lookup"),
         {"resident_id": person.resident_id}),
        ("person: change page", "get", reverse("admin:assistance_insuredperson_change", args=[person.pk]), {}),
        ("person: year's costs", "get", reverse("admin:assistance_insuredperson_costs", args=[person.pk, year]), {}),
        ("settlements: first page", "get", settlements, {}),
        ("settlements: one year", "get", settlements, {"year__exact": str(year)}),
        ("settlements: exact settlement no.", "search", settlements, {"q": settlement.settlement_no}),
        ("settlements: out of province", "get", settlements, {"in_province__exact": "0"}),
        ("warning targets: town filter", "get", reverse("admin:assistance_warningtarget_changelist"),
         {"town": str(town.pk)} if town else {}),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--user", default="msb")
    args = parser.parse_args(argv)
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    people, settlements = InsuredPerson.objects.count(), SettlementRecord.objects.count()
    print(f"database: {people:,} people, {settlements:,} settlement rows")
    results = {}
    for label, method, url, data in pages(args.year):
        # A list's search is a POST answered by a redirect to the list (the term stays out of the
        # address): timed together, as a user waits for both.
        request = (lambda url, data: client.post(url, {"_search": "1", **data}, follow=True)) if method == "search" \
            else getattr(client, method)
        response = request(url, data)
        assert response.status_code in (200, 302), (label, response.status_code)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            request(url, data)
            timings.append((time.perf_counter() - started) * 1000)
        results[label] = {"median_ms": round(statistics.median(timings), 1), "max_ms": round(max(timings), 1)}
        print(f"{label:36s} median {results[label]['median_ms']:7.1f} ms   slowest {results[label]['max_ms']:7.1f} ms")
    slowest = max(result["max_ms"] for result in results.values())
    print(json.dumps({"people": people, "settlements": settlements, "slowest_ms": slowest,
                      "all_under_500_ms": slowest < 500, "pages": results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
