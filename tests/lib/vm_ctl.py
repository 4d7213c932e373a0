#!/usr/bin/env python3
"""vm_ctl.py SOCKET TIMEOUT_S SCRIPT: run SCRIPT (sh) in a test guest.

The guest's /init (tests/lib/vm_init.sh) reads lines on its second
serial port, which QEMU connects to the unix socket SOCKET.  The script
travels base64-encoded on one line "TAG BASE64" (no quoting, no tty line
editing) and runs as `sh FILE </dev/null`, so a syntax error cannot end
the serving loop.
Its output comes back up to a marker carrying its exit status, which
becomes ours; 124 if the marker does not come within TIMEOUT_S."""
import base64
import os
import re
import socket
import sys
import time


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    path, timeout, script = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    tag = "%d%d" % (os.getpid(), int(time.time() * 1e6))
    b64 = base64.b64encode(script.encode()).decode()
    cmd = "%s %s\n" % (tag, b64)
    deadline = time.monotonic() + timeout
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            s.connect(path)
            break
        except OSError as e:
            if time.monotonic() > deadline:
                sys.stderr.write("vm_ctl: cannot connect to %s: %s\n" % (path, e))
                return 124
            time.sleep(0.1)
    s.sendall(cmd.encode())
    marker = re.compile(r"@@VNTRC-%s=(\d+)@@" % tag)
    buf = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            sys.stdout.write(buf.decode(errors="replace"))
            sys.stderr.write("vm_ctl: no answer within %gs\n" % timeout)
            return 124
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            sys.stderr.write("vm_ctl: the guest's control channel closed (QEMU gone?)\n")
            return 125
        buf += chunk
        m = marker.search(buf.decode(errors="replace"))
        if m:
            text = buf.decode(errors="replace")
            sys.stdout.write(text[:m.start()])
            return int(m.group(1))


if __name__ == "__main__":
    sys.exit(main())
