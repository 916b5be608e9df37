"""Printed documents: Chinese PDFs rendered by WeasyPrint from a template, and the QR codes printed
on them. One mechanism for every app (receipts and certificates, 公示 notices for village boards):
the fonts come from the system (Debian fonts-noto-cjk, named in templates/includes/pdf_fonts.css),
since without a CJK family WeasyPrint silently drops every Chinese glyph."""
import segno
from django.conf import settings
from django.template.loader import render_to_string


def qr_png_data_uri(url: str) -> str:
    """An inline PNG, so the PDF needs no file or network. Medium error correction survives a crease
    or a smudge; 10 px a module gives a sharp code at the ~30 mm it is printed."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=10, border=4)


def qr_svg_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data: URI for an <img> on a printed page (sharp at any size).
    Medium error correction survives a crease or a smudge on a slip kept in a pocket."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=4)


def pdf_render(template: str, context: dict) -> bytes:
    """The template rendered to PDF. Relative URLs resolve inside the project, never the network."""
    html = render_to_string(template, context)
    from weasyprint import HTML  # heavy (0.8 s, 30 MB): only where a PDF is made
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
