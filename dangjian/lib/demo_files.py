"""Small real PDF attachments for the demo city, made on the spot.

The files are Wagtail documents saved through the default storage, so they
land in the private store like any uploaded attachment
(``dangjian.lib.storage``) and are served only by the permission-checked
document view. The PDF uses ReportLab's built-in CID font STSong-Light, so
Chinese prints without shipping a font file.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile

if TYPE_CHECKING:
    from wagtail.documents.models import AbstractDocument

FONT = "STSong-Light"


def demo_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A one-page A4 PDF with a title and a few paragraphs."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle(
        "t", fontName=FONT, fontSize=16, leading=22, alignment=1
    )
    text_style = ParagraphStyle(
        "p", fontName=FONT, fontSize=11, leading=18, firstLineIndent=22
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=title,
        author="党建云（演示数据）",
        # The same bytes on every run, so a rebuilt demo is identical.
        invariant=True,
    )
    story = [Paragraph(escape(title), title_style), Spacer(1, 6 * mm)]
    story += [Paragraph(escape(text), text_style) for text in paragraphs]
    doc.build(story)
    return buffer.getvalue()


def demo_document(title: str, filename: str, paragraphs: list[str]) -> AbstractDocument:
    """A Wagtail document holding :func:`demo_pdf`, saved like an upload."""
    from wagtail.documents import get_document_model

    document = get_document_model()(title=title)
    document.file.save(filename, ContentFile(demo_pdf(title, paragraphs)), save=False)
    document.save()
    # Size and hash as the admin's upload form records them.
    document.get_file_size()
    document.get_file_hash()
    return document
