"""Draws the app icon (an ID card on a teal tile) as RGBA PNGs, with no dependencies.

Run from this folder: `python3 make_icons.py`. The PNGs are committed; this script is how
they were made, kept so anyone can change the colours and redraw them.
"""

import struct
import zlib

TILE = (31, 111, 139)
CARD = (255, 255, 255)
INK = (31, 111, 139)
LINE = (160, 190, 200)


def rounded_rect(x, y, x0, y0, x1, y1, r):
    """True when (x, y), in unit coordinates, is inside the rounded rectangle."""
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(x, y):
    """The colour at unit coordinates (x, y), or None for transparent."""
    if not rounded_rect(x, y, 0.02, 0.02, 0.98, 0.98, 0.2):
        return None
    if rounded_rect(x, y, 0.14, 0.26, 0.86, 0.74, 0.06):
        # The photo: a head and shoulders.
        if (x - 0.32) ** 2 + (y - 0.43) ** 2 <= 0.065 ** 2:
            return INK
        if (x - 0.32) ** 2 + (y - 0.64) ** 2 <= 0.12 ** 2 and y <= 0.66:
            return INK
        # The text lines.
        for top in (0.38, 0.48, 0.58):
            if rounded_rect(x, y, 0.5, top, 0.78 if top < 0.5 else 0.7, top + 0.045, 0.02):
                return LINE
        return CARD
    return TILE


def draw(size, samples=3):
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter type 0 for each scanline.
        for px in range(size):
            r = g = b = a = 0
            for sy in range(samples):
                for sx in range(samples):
                    c = colour_at((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size)
                    if c is not None:
                        r, g, b, a = r + c[0], g + c[1], b + c[2], a + 1
            n = samples * samples
            if a:
                row += bytes((r // a, g // a, b // a, 255 * a // n))
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width, height, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA.
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        with open(name, "wb") as out:
            out.write(draw(size))
