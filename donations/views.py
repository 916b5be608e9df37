"""Public receipt verification. A wrong code and a missing number look exactly the same."""
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from fundportal import public_record
from fundportal.lookups import verified_has, verified_remember

from . import pdf, ratelimits, services
from .forms import ReceiptLookupForm
from .models import Receipt

SESSION_KEY = "verified_receipts"


@never_cache
@require_http_methods(["GET", "POST"])
def receipt_verify(request):
    data = request.POST if request.method == "POST" else (request.GET if "n" in request.GET else None)
    form = ReceiptLookupForm(data)
    if data is None or not form.is_valid():
        return render(request, "donations/receipt_verify.html", {"form": form})
    result = ratelimits.receipt_lookup(request, number=form.cleaned_data["n"], code=form.cleaned_data["c"])
    published = []
    if result.found is not None:
        verified_remember(request, key=SESSION_KEY, number=result.found.number)
        # In which published statements the gift appears, each proof checked (the transparency log).
        published = public_record.published_in(public_record.entries_of([result.found.donation]))
    return render(request, "donations/receipt_verify.html",
                  {"form": form, "receipt": result.found, "not_found": result.not_found, "blocked": result.blocked,
                   "published": published}, status=result.status)


def _verified_receipt(request) -> Receipt:
    if ratelimits.download_blocked(request):
        raise PermissionDenied("下载过于频繁，请稍后再试")
    number = request.GET.get("n", "")
    if not verified_has(request, key=SESSION_KEY, number=number):
        raise Http404("请先输入收据编号和验证码核验")
    return Receipt.objects.select_related("donation__donor", "donation__campaign").get(number=number)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def receipt_pdf_download(request):
    receipt = _verified_receipt(request)
    is_copy = services.receipt_print_record(receipt=receipt, acting_user=None)
    return _pdf_response(pdf.receipt_pdf(receipt, copy=is_copy), f"receipt-{receipt.number}.pdf")


@require_GET
def certificate_pdf_download(request):
    receipt = _verified_receipt(request)
    if not receipt.is_organisation:
        raise Http404("只有单位捐赠方可下载捐赠证书")
    return _pdf_response(pdf.certificate_pdf(receipt), f"certificate-{receipt.number}.pdf")
