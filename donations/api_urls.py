from django.urls import path

from . import api

urlpatterns = [
    path("", api.DonationListCreateApi.as_view(), name="api-donations"),
    path("receipts/", api.ReceiptListApi.as_view(), name="api-receipts"),
    path("receipts/verify/", api.ReceiptVerifyApi.as_view(), name="api-receipt-verify"),
]
