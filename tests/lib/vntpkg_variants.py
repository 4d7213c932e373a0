#!/usr/bin/env python3
"""Broken copies of a control package for refusal tests.

usage: vntpkg_variants.py PKG OUTDIR
writes OUTDIR/tampered.vntpkg (one byte of object.o flipped, its stored
checksum kept, re-compressed so only the checksum can tell),
OUTDIR/truncated.vntpkg (the first half), OUTDIR/newer.vntpkg (format 99)
and OUTDIR/foreign.vntpkg (not a package). Layout: doc/package-format.md."""
import struct
import sys
import zlib

src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
head, body = data[:24], zlib.decompress(data[24:])
tampered = None
off = 0
while off < len(body):
    nl = struct.unpack_from("<H", body, off)[0]; off += 2
    name = body[off:off + nl].decode(); off += nl
    size = struct.unpack_from("<Q", body, off)[0]; off += 8
    if name == "object.o":
        b = bytearray(body); b[off + size // 2] ^= 0x01; tampered = bytes(b)
    off += size + 32
if tampered is None:
    sys.exit("vntpkg_variants: no object.o member in " + src)
open(out + "/tampered.vntpkg", "wb").write(head + zlib.compress(tampered))
open(out + "/truncated.vntpkg", "wb").write(data[:len(data) // 2])
newer = bytearray(head); struct.pack_into("<I", newer, 8, 99)
open(out + "/newer.vntpkg", "wb").write(bytes(newer) + data[24:])
open(out + "/foreign.vntpkg", "wb").write(b"\x7fELF" + b"\0" * 100)
