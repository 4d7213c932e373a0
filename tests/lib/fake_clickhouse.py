#!/usr/bin/env python3
"""A stand-in for a ClickHouse server's HTTP interface, for the failures a
real one is hard to make on demand: `fake_clickhouse.py PORTFILE MODE`
listens on a free loopback port (written to PORTFILE) and answers
  SELECT version()          with the version of MODE old (1.1.54394) or 18.16.1
  INSERT INTO db.events     HTTP 500, "Code: 241 ... Memory limit" (MODE refuse-events)
  anything else             200, "1" for SELECTs, "" otherwise
Stops on SIGTERM."""
import http.server, socketserver, sys

portfile, mode = sys.argv[1], sys.argv[2]

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def answer(self, code, body):
        b = body.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n) if n else b""
        from urllib.parse import urlparse, parse_qs
        q = parse_qs(urlparse(self.path).query).get("query", [""])[0]
        sql = q if q else body.decode("utf-8", "replace")
        if sql.startswith("SELECT version()"):
            return self.answer(200, ("1.1.54394" if mode == "old" else "18.16.1") + "\n")
        if mode == "refuse-events" and sql.startswith("INSERT INTO") and ".events " in sql:
            return self.answer(500, "Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded\n")
        if sql.startswith("SELECT max(version), count()"):
            return self.answer(200, "1\t1\n")
        if sql.startswith("SELECT"):
            return self.answer(200, "1\n")
        return self.answer(200, "")
    do_GET = do_POST

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

srv = S(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
