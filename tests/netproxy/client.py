"""A browser-shaped HTTP client for the proxy tests: its own source address on the loopback
network (127.0.0.2, 127.0.0.3 … are all this machine on Linux), its own cookies."""

import http.client
import re
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Visitor:
    def __init__(self, port: int, source: str):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, source_address=(self.source, 0), timeout=60
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
        conn.close()
        return response.status, text

    def post_form(self, path: str, form: dict, headers=None):
        """GET the page for its CSRF token, then POST the form as a browser does."""
        _, page = self.request("GET", path, headers=headers)
        token = CSRF_FIELD.search(page).group(1)
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": token}, headers)


def start_proxy(listen: int, upstream: int) -> subprocess.Popen:
    proxy = subprocess.Popen(
        [sys.executable, "-m", "tests.netproxy.proxy", str(listen), str(upstream)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proxy.stdout.readline().strip() == "ready"
    time.sleep(0.05)
    return proxy
