"""Real servers on this machine for the notification tests: a small SMTP server (RFC 5321's
commands over a socket, as smtpd did) and an HTTP server playing a 企业微信 / 钉钉 group robot,
which can fail a number of times before it recovers."""

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        server = self.server
        self.reply("220 localhost test SMTP")
        sender, recipients = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-localhost")
                self.reply("250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].strip().split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = message_from_bytes(b"".join(lines), policy=policy.default)
                with server.lock:
                    server.messages.append((sender, recipients, message))
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.messages: list = []
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class _RobotHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output quiet
        return

    def do_POST(self) -> None:
        robot = self.server
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        with robot.lock:
            robot.calls += 1
            failing = robot.failures > 0
            if failing:
                robot.failures -= 1
        if failing:
            self.send_response(502)
            self.end_headers()
            return
        if robot.secret is not None:
            wanted = base64.b64encode(
                hmac.new(
                    robot.secret.encode(),
                    f"{query.get('timestamp')}\n{robot.secret}".encode(),
                    hashlib.sha256,
                ).digest()
            ).decode()
            if query.get("sign") != wanted:
                self._answer({"errcode": 310000, "errmsg": "sign not match"})
                return
        with robot.lock:
            robot.messages.append(body)
        self._answer({"errcode": 0, "errmsg": "ok"})

    def _answer(self, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class RobotServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, failures: int = 0, secret: str | None = None):
        super().__init__(("127.0.0.1", 0), _RobotHandler)
        self.failures, self.secret = failures, secret
        self.messages: list[dict] = []
        self.calls = 0
        self.lock = threading.Lock()

    def url(self, path: str = "/cgi-bin/webhook/send?key=test-key-1234") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
