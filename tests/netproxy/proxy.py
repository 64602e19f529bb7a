"""A small reverse proxy, run as its own process by the tests: what nginx does in front of Anju
(docs/operations.md), in thirty lines. It forwards every request to the upstream server and
appends the address it saw the client connect from to X-Forwarded-For, keeping whatever the
client itself wrote there (as nginx's $proxy_add_x_forwarded_for does).

    python -m tests.netproxy.proxy LISTEN_PORT UPSTREAM_PORT
"""

import http.client
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}


class Forward(BaseHTTPRequestHandler):
    upstream_port = 0

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        seen = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = (
            f"{seen}, {self.client_address[0]}" if seen else self.client_address[0]
        )
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = do_HEAD = _forward

    def log_message(self, format, *args):  # quiet: the tests read the server's own records
        pass


def main() -> None:
    listen, upstream = int(sys.argv[1]), int(sys.argv[2])
    Forward.upstream_port = upstream
    server = ThreadingHTTPServer(("127.0.0.1", listen), Forward)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
