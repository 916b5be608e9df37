"""The printed 公示 notice for a village's (or a town's) board: A4, in Chinese, with the lines the
public page shows and a QR code to that page. Rendered by fundportal.pdf, like the receipts.

Everything on it was fixed when the 公示 was posted (no objection counts, which change), so one
rendering serves every download: it is kept in the cache under the 公示's posting time.
"""
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from fundportal.models import Region
from fundportal.lookups import public_link
from fundportal.pdf import pdf_render, qr_png_data_uri

from .models import Publicity
from .public_selectors import area_entries

CACHE_SECONDS = 24 * 3600


def area_page_url(publicity: Publicity, region: Region) -> str:
    """The public page of the area, absolute, as every printed link is (fundportal.lookups.public_link)."""
    return public_link("publicity:area", publicity.pk, region.code)


def notice_etag(publicity: Publicity, region: Region) -> str:
    return f'"notice-{publicity.pk}-{region.code}-{int(publicity.posted_at.timestamp())}"'


def _chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_context(publicity: Publicity, region: Region) -> dict:
    entries = list(area_entries(publicity, region))
    url = area_page_url(publicity, region)
    area_name = region.name if region.level == Region.Level.TOWN or region.parent is None \
        else f"{region.parent.name}{region.name}"
    return {
        "publicity": publicity, "resolution": publicity.resolution, "region": region, "area_name": area_name,
        "entries": entries, "total": sum((entry.amount for entry in entries), start=Decimal("0.00")),
        "starts_on": _chinese_date(publicity.starts_on), "ends_on": _chinese_date(publicity.ends_on),
        "posted_on": _chinese_date(timezone.localtime(publicity.posted_at).date()),
        "page_url": url, "qr": qr_png_data_uri(url), "show_village": region.level == Region.Level.TOWN,
        "working_days": settings.OBJECTION_WORKING_DAYS,
    }


def notice_pdf(publicity: Publicity, region: Region) -> bytes:
    key = f"publicity-notice:{notice_etag(publicity, region).strip(chr(34))}:{settings.SITE_URL}"
    data = cache.get(key)
    if data is None:
        with translation.override("zh-hans"):
            data = pdf_render("publicity/pdf/notice.html", notice_context(publicity, region))
        cache.set(key, data, CACHE_SECONDS)
    return data
