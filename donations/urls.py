from django.urls import path

from . import views

app_name = "donations"
urlpatterns = [
    path("verify/", views.receipt_verify, name="receipt_verify"),
    path("verify/receipt.pdf", views.receipt_pdf_download, name="receipt_pdf"),
    path("verify/certificate.pdf", views.certificate_pdf_download, name="certificate_pdf"),
]
