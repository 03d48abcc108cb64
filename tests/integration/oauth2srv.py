# SPDX-License-Identifier: ISC
"""oauth2srv.py - a local HTTPS OAuth2 token endpoint for the tests: the refresh grant (RFC 6749 section 6), device authorization (RFC 8628), errors.

    srv = OAuth2Server(cert, key)       # the tests' certificate (certs.py)
    srv.start(); ... srv.stop()
    srv.url("/token"), srv.url("/device")

It listens on 127.0.0.1 in a thread of the test process.  What it does:
- POST /token grant_type=refresh_token: a refresh token of srv.refresh
  (a set; srv.add_refresh() makes one) gets a new access token, valid
  for srv.expires_in seconds; with srv.rotate the answer carries a new
  refresh token and the old one is no longer good.  An unknown refresh
  token: 400 invalid_grant.  A wrong client_id or client_secret: 401
  invalid_client.  srv.fail_status (e.g. 503) answers every request so.
- POST /device: a device_code and user_code, interval 1 s; then polls
  of /token with grant_type=urn:ietf:params:oauth:grant-type:device_code
  answer authorization_pending twice, slow_down once, then the tokens
  (srv.device_outcome "deny" or "expire": access_denied, expired_token).
- srv.valid(token): was this access token issued, and not revoked
  (srv.revoke_all())?  What the SMTP server's XOAUTH2 asks.
- srv.requests: every request as (path, {field: value}).
"""

import json
import secrets
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_POST(self):
        srv = self.server.owner
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode("ascii")
        form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        with srv.lock:
            srv.requests.append((self.path, form))
            srv.content_types.append(self.headers.get("Content-Type"))
            status, obj = srv.handle(self.path, form)
        self._answer(status, obj)


class OAuth2Server:
    def __init__(self, cert, key, client_id="pigeon-test",
                 client_secret=None):
        self.cert, self.key = cert, key
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.Lock()
        self.requests = []
        self.content_types = []
        self.refresh = set()
        self.access = set()
        self.issued = []
        self.rotate = False
        self.expires_in = 3600
        self.fail_status = None
        self.device_outcome = "allow"
        self.devices = {}
        self.scope_seen = []
        self._httpd = None
        self.port = None

    def add_refresh(self):
        t = "rt-" + secrets.token_urlsafe(16)
        self.refresh.add(t)
        return t

    def valid(self, token):
        with self.lock:
            return token in self.access

    def revoke_all(self):
        with self.lock:
            self.access.clear()

    def url(self, path):
        return "https://127.0.0.1:%d%s" % (self.port, path)

    def token_requests(self):
        return [f for p, f in self.requests if p == "/token"]

    def _issue(self):
        at = "at-" + secrets.token_urlsafe(24)
        self.access.add(at)
        self.issued.append(at)
        return {"access_token": at, "token_type": "Bearer",
                "expires_in": self.expires_in}

    def _client_ok(self, form):
        if form.get("client_id") != self.client_id:
            return False
        return self.client_secret is None or \
            form.get("client_secret") == self.client_secret

    def handle(self, path, form):
        if self.fail_status is not None:
            return self.fail_status, {"error": "temporarily_unavailable"}
        if not self._client_ok(form):
            return 401, {"error": "invalid_client"}
        self.scope_seen.append(form.get("scope"))
        if path == "/device":
            code = "dc-" + secrets.token_urlsafe(16)
            self.devices[code] = 0
            return 200, {"device_code": code, "user_code": "WDJB-MJHT",
                         "verification_uri": "https://example.org/device",
                         "verification_uri_complete":
                         "https://example.org/device?user_code=WDJB-MJHT",
                         "expires_in": 120, "interval": 1}
        if path != "/token":
            return 404, {"error": "not_found"}
        grant = form.get("grant_type")
        if grant == "refresh_token":
            rt = form.get("refresh_token")
            if rt not in self.refresh:
                return 400, {"error": "invalid_grant",
                             "error_description":
                             "Token %s has been expired or revoked." % rt}
            ans = self._issue()
            if self.rotate:
                self.refresh.discard(rt)
                ans["refresh_token"] = self.add_refresh()
            return 200, ans
        if grant == DEVICE_GRANT:
            code = form.get("device_code")
            if code not in self.devices:
                return 400, {"error": "invalid_grant"}
            self.devices[code] += 1
            k = self.devices[code]
            if self.device_outcome == "deny":
                return 400, {"error": "access_denied"}
            if self.device_outcome == "expire":
                return 400, {"error": "expired_token"}
            if k <= 2:
                return 400, {"error": "authorization_pending"}
            if k == 3:
                return 400, {"error": "slow_down"}
            ans = self._issue()
            ans["refresh_token"] = self.add_refresh()
            return 200, ans
        return 400, {"error": "unsupported_grant_type"}

    def start(self, port=0):
        httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        httpd.daemon_threads = True
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        httpd.owner = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return self.port

    def stop(self):
        h, self._httpd = self._httpd, None
        if h is not None:
            h.shutdown()
            h.server_close()
