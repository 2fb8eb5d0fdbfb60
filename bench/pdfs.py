"""Small real PDFs to upload, for the benches and the tests: one page of text per string."""

from fpdf import FPDF


def pdf(*pages: str) -> bytes:
    document = FPDF()
    document.set_font("helvetica", size=12)
    for text in pages:
        document.add_page()
        document.multi_cell(0, 10, text)
    return bytes(document.output())
