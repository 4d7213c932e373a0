#!/usr/bin/env python3
"""A minimal dispatcher for tests: speaks doc/protocol.md to `vnt-agent --stdio`.

    agent_client.py load PKG -- AGENT-COMMAND...

Sends HELLO, then LOAD with the package's bytes as they are (the agent must
verify them itself: `vnt dispatch` refuses a damaged package before sending
it), and prints what the agent answers to LOAD: `LOAD_OK` or
`ERROR CODE SENTENCE`. Then BYE. Exit 0 if an answer came, 1 if not.
"""
import struct
import subprocess
import sys

MAGIC, VERSION = b"VNTW", 1
HELLO, HELLO_OK, LOAD, LOAD_OK, ERROR, BYE = 1, 2, 4, 5, 6, 15


def frame(mtype, payload):
    return MAGIC + struct.pack("<BBHI", VERSION, mtype, 0, len(payload)) + payload


def s(text):
    b = text.encode()
    return struct.pack("<I", len(b)) + b


def read_frame(f):
    head = f.read(12)
    if len(head) < 12 or head[:4] != MAGIC:
        return None, b""
    _, mtype, _, n = struct.unpack("<BBHI", head[4:])
    return mtype, f.read(n)


def main():
    if len(sys.argv) < 5 or sys.argv[1] != "load" or sys.argv[3] != "--":
        sys.exit(__doc__)
    pkg = open(sys.argv[2], "rb").read()
    p = subprocess.Popen(sys.argv[4:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    p.stdin.write(frame(HELLO, struct.pack("<HH", 1, 1) + s("agent_client.py")))
    p.stdin.flush()
    mtype, _ = read_frame(p.stdout)
    if mtype != HELLO_OK:
        print("no HELLO_OK (got %r)" % mtype)
        sys.exit(1)
    p.stdin.write(frame(LOAD, struct.pack("<II", 0, 0) + struct.pack("<H", 0) + struct.pack("<I", len(pkg)) + pkg))
    p.stdin.flush()
    while True:
        mtype, payload = read_frame(p.stdout)
        if mtype is None:
            print("the agent closed the stream")
            sys.exit(1)
        if mtype == LOAD_OK:
            print("LOAD_OK")
            break
        if mtype == ERROR:
            code, n = struct.unpack("<HI", payload[:6])
            print("ERROR %d %s" % (code, payload[6:6 + n].decode(errors="replace")))
            break
    p.stdin.write(frame(BYE, s("done")))
    p.stdin.close()
    p.wait(timeout=10)


main()
