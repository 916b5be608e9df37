"""Public receipt verification. A wrong code and a missing number look exactly the same."""
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import pdf, ratelimits, selectors, services
from .forms import ReceiptLookupForm
from .models import Receipt

SESSION_KEY = "verified_receipts"


@never_cache
@require_http_methods(["GET", "POST"])
def receipt_verify(request):
    data = request.POST if request.method == "POST" else (request.GET if "n" in request.GET else None)
    form = ReceiptLookupForm(data)
    receipt, not_found = None, False
    if data is not None and form.is_valid():
        attempt = ratelimits.lookup_begin(request)
        if attempt is None:
            return render(request, "donations/receipt_verify.html", {"form": form, "blocked": True}, status=429)
        receipt = selectors.receipt_find_for_public(number=form.cleaned_data["n"], code=form.cleaned_data["c"])
        if receipt is None:
            not_found = True
        else:
            attempt.refund()  # a right code does not count
            verified = set(request.session.get(SESSION_KEY, []))
            request.session[SESSION_KEY] = sorted(verified | {receipt.number})
    return render(request, "donations/receipt_verify.html",
                  {"form": form, "receipt": receipt, "not_found": not_found},
                  status=404 if not_found else 200)


def _verified_receipt(request) -> Receipt:
    if ratelimits.download_blocked(request):
        raise PermissionDenied("下载过于频繁，请稍后再试")
    number = request.GET.get("n", "")
    if number not in request.session.get(SESSION_KEY, []):
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
