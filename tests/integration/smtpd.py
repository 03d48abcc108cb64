#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""smtpd.py - a real submission server for the integration tests and the demo, built on aiosmtpd.

Run it with Debian's /usr/bin/python3 (python3-aiosmtpd is installed for
that interpreter only):

    /usr/bin/python3 tests/integration/smtpd.py --port 0 \\
        --tls starttls|implicit|none --cert CERT --key KEY \\
        --auth USER:PASSWORD --spool DIR [--reject ADDR]... \\
        [--tempfail ADDR]... [--size N] [--mechanisms LIST] [--debug]

It listens on 127.0.0.1 only, prints "READY <port>" on stdout once it
answers connections, and runs until SIGTERM or SIGINT.  Tests import it
and use SmtpServer directly (same behaviour, no extra process).

What it does:
- tls=starttls: offers STARTTLS and refuses everything but EHLO, HELO,
  NOOP, QUIT and STARTTLS before it (require_starttls); AUTH only inside TLS.
  tls=implicit: TLS from the first byte (smtps).  tls=none: clear text,
  AUTH offered in clear text too (for auth_allow_plaintext tests).
- AUTH PLAIN and LOGIN (aiosmtpd's own), CRAM-MD5 and SCRAM-SHA-256
  (RFC 5802/7677, implemented here), all checked against --auth.
  XOAUTH2 and OAUTHBEARER only when SmtpServer is given oauth=CHECK (a function of the
  bearer token: true to accept it), as the OAuth2 tests do; a refused
  token gets the 334 JSON error and, after the client's empty line (XOAUTH2)
  or lone ^A (OAUTHBEARER), 535.
  Without --auth, AUTH is still offered but always fails.
- RCPT TO an address given with --reject: 550 5.1.1, with --tempfail:
  450 4.2.0 (postfix-like texts, see REJECT_REPLY / TEMPFAIL_REPLY).
- SMTPUTF8 and 8BITMIME are offered; SIZE is --size (0: no limit).
- Every accepted message becomes N.eml (the DATA bytes exactly as
  received, dot-unstuffed, CRLF kept) and N.json (envelope, options, AUTH
  user and mechanism, TLS) in the spool directory, N = 1, 2, ...  The
  .json file is written last (by rename), so its presence means the
  message is complete.  The 250 reply is sent only after both exist.
"""

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import logging
import os
import secrets
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, auth_mechanism

REJECT_REPLY = "550 5.1.1 <%s>: Recipient address rejected: User unknown"
TEMPFAIL_REPLY = "450 4.2.0 <%s>: Recipient address rejected: Greylisted"
DEFAULT_SIZE = 35882577
HOSTNAME = "smtpd.pigeon.test"
SCRAM_ITERATIONS = 4096
MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256")


class AuthInfo:
    """What a successful AUTH leaves in session.auth_data."""

    def __init__(self, login, mechanism):
        self.login = login
        self.mechanism = mechanism

    def __repr__(self):
        return "AuthInfo(%r, %r)" % (self.login, self.mechanism)


def _b64d(text):
    return base64.b64decode(text, validate=True)


def _scram_attrs(msg):
    """'n=user,r=abc' -> {'n': 'user', 'r': 'abc'}; ValueError if malformed."""
    out = {}
    for part in msg.split(","):
        if len(part) < 2 or part[1] != "=":
            raise ValueError("bad SCRAM attribute %r" % part)
        out[part[0]] = part[2:]
    return out


def _scram_unescape(name):
    if "=" in name.replace("=2C", "").replace("=3D", ""):
        raise ValueError("bad saslname")
    return name.replace("=2C", ",").replace("=3D", "=")


class Handler:
    """aiosmtpd handler: recipient verdicts, extra AUTH mechanisms, the spool."""

    def __init__(self, spool, user=None, password=None, reject=(),
                 tempfail=(), implicit_tls=False):
        self.spool = spool
        self.user = user.encode() if user is not None else None
        self.password = password.encode() if password is not None else None
        self.reject = {a.lower() for a in reject}
        self.tempfail = {a.lower() for a in tempfail}
        self.implicit_tls = implicit_tls
        self.oauth = None
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    no_8bitmime = False
    no_smtputf8 = False

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        """With no_8bitmime (no_smtputf8), a server that does not offer
        8BITMIME (SMTPUTF8)."""
        session.host_name = hostname
        if self.no_8bitmime:
            responses = [r for r in responses if "8BITMIME" not in r]
        if self.no_smtputf8:
            responses = [r for r in responses if "SMTPUTF8" not in r]
        return responses

    # -- credentials ------------------------------------------------------

    def _check(self, login, password):
        return (self.user is not None and self.password is not None
                and hmac.compare_digest(login, self.user)
                and hmac.compare_digest(password, self.password))

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        """Checks PLAIN and LOGIN (aiosmtpd hands us a LoginPassword)."""
        if isinstance(auth_data, LoginPassword) and \
                self._check(auth_data.login, auth_data.password):
            return AuthResult(success=True, auth_data=AuthInfo(
                auth_data.login.decode("utf-8", "replace"), mechanism))
        return AuthResult(success=False, handled=False)

    @auth_mechanism("CRAM-MD5")
    async def auth_CRAM_MD5(self, server, args):
        if len(args) != 1:
            await server.push("501 5.5.2 CRAM-MD5 takes no initial response")
            return AuthResult(success=False, handled=True)
        challenge = ("<%s.%d@%s>" % (secrets.token_hex(8), os.getpid(),
                                     HOSTNAME)).encode()
        answer = await server.challenge_auth(challenge)
        if not isinstance(answer, bytes):
            return AuthResult(success=False, handled=True)
        login, _, digest = answer.rpartition(b" ")
        if self.password is None or self.user is None:
            return AuthResult(success=False, handled=False)
        want = hmac.new(self.password, challenge, hashlib.md5).hexdigest()
        if hmac.compare_digest(login, self.user) and \
                hmac.compare_digest(digest, want.encode()):
            return AuthResult(success=True, auth_data=AuthInfo(
                login.decode("utf-8", "replace"), "CRAM-MD5"))
        return AuthResult(success=False, handled=False)

    async def _bearer(self, server, args, mech):
        """XOAUTH2 (user=U^Aauth=Bearer T^A^A) and OAUTHBEARER (RFC 7628:
        n,a=U,^Aauth=Bearer T^A^A), the token checked by self.oauth(T);
        a refusal is the JSON challenge, then 535 once the client has
        answered it (RFC 7628 3.2.3: with a lone ^A)."""
        if len(args) == 2:
            try:
                blob = _b64d(args[1])
            except ValueError:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        else:
            blob = await server.challenge_auth(b"")
            if not isinstance(blob, bytes):
                return AuthResult(success=False, handled=True)
        parts = blob.split(b"\x01")
        user = b""
        if mech == "OAUTHBEARER":
            gs2 = parts[0].split(b",")
            if len(gs2) < 3 or gs2[0] not in (b"n", b"y"):
                await server.push("501 5.5.2 Malformed GS2 header")
                return AuthResult(success=False, handled=True)
            for g in gs2[1:]:
                if g.startswith(b"a="):
                    user = g[2:]
            parts = parts[1:]
        fields = dict(f.split(b"=", 1) for f in parts if b"=" in f)
        auth = fields.get(b"auth", b"")
        token = auth[7:] if auth.lower().startswith(b"bearer ") else b""
        if mech == "XOAUTH2":
            user = fields.get(b"user", b"")
        if self.oauth is not None and token and \
                self.oauth(token.decode("ascii", "replace")):
            return AuthResult(success=True, auth_data=AuthInfo(
                user.decode("utf-8", "replace"), mech))
        err = json.dumps({"status": "401" if mech == "XOAUTH2" else
                          "invalid_token", "schemes": "bearer",
                          "scope": "https://mail.example/"}).encode()
        answer = await server.challenge_auth(err)
        if mech == "OAUTHBEARER" and answer != b"\x01":
            await server.push("501 5.5.2 Expected ^A after the error")
            return AuthResult(success=False, handled=True)
        await server.push("535 5.7.8 Username and Password not accepted")
        return AuthResult(success=False, handled=True)

    @auth_mechanism("XOAUTH2")
    async def auth_XOAUTH2(self, server, args):
        return await self._bearer(server, args, "XOAUTH2")

    @auth_mechanism("OAUTHBEARER")
    async def auth_OAUTHBEARER(self, server, args):
        return await self._bearer(server, args, "OAUTHBEARER")

    @auth_mechanism("SCRAM-SHA-256")
    async def auth_SCRAM_SHA_256(self, server, args):
        """RFC 5802 / RFC 7677 server side, without channel binding."""
        async def fail(reply="501 5.5.2 Malformed SCRAM message"):
            await server.push(reply)
            return AuthResult(success=False, handled=True)

        if len(args) == 2:
            try:
                first = _b64d(args[1])
            except ValueError:
                return await fail("501 5.5.2 Can't decode base64")
        else:
            first = await server.challenge_auth(b"")
            if not isinstance(first, bytes):
                return AuthResult(success=False, handled=True)
        try:
            first = first.decode("utf-8")
            # gs2-header: "n,," or "y,," (we offer no -PLUS variant), or
            # with an authzid "n,a=someone,".
            cbind, authz, bare = first.split(",", 2)
            if cbind not in ("n", "y") or (authz and not authz.startswith("a=")):
                return await fail()
            gs2_header = "%s,%s," % (cbind, authz)
            attrs = _scram_attrs(bare)
            login = _scram_unescape(attrs["n"])
            cnonce = attrs["r"]
            if not cnonce or "m" in attrs:
                return await fail()
        except (ValueError, KeyError, UnicodeDecodeError):
            return await fail()

        salt = secrets.token_bytes(16)
        nonce = cnonce + base64.b64encode(secrets.token_bytes(18)).decode()
        server_first = "r=%s,s=%s,i=%d" % (
            nonce, base64.b64encode(salt).decode(), SCRAM_ITERATIONS)
        final = await server.challenge_auth(server_first.encode())
        if not isinstance(final, bytes):
            return AuthResult(success=False, handled=True)
        try:
            final = final.decode("utf-8")
            without_proof, _, proof_b64 = final.rpartition(",p=")
            attrs = _scram_attrs(without_proof)
            proof = _b64d(proof_b64)
            if attrs["r"] != nonce or \
                    _b64d(attrs["c"]) != gs2_header.encode():
                return await fail()
        except (ValueError, KeyError, UnicodeDecodeError):
            return await fail()

        if self.password is None or self.user is None or \
                login.encode() != self.user:
            return AuthResult(success=False, handled=False)
        salted = hashlib.pbkdf2_hmac("sha256", self.password, salt,
                                     SCRAM_ITERATIONS)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        auth_message = ("%s,%s,%s" % (bare, server_first, without_proof)).encode()
        client_sig = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        if len(proof) != len(client_sig):
            return AuthResult(success=False, handled=False)
        recovered = bytes(a ^ b for a, b in zip(proof, client_sig))
        if not hmac.compare_digest(hashlib.sha256(recovered).digest(),
                                   stored_key):
            return AuthResult(success=False, handled=False)
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        server_sig = hmac.new(server_key, auth_message, hashlib.sha256).digest()
        # SMTP has no "additional data with success": the server-final
        # message travels in a 334 and the client answers with an empty line.
        empty = await server.challenge_auth(
            b"v=" + base64.b64encode(server_sig))
        if not isinstance(empty, bytes):
            return AuthResult(success=False, handled=True)
        if empty != b"":
            return await fail("501 5.5.2 Expected an empty response")
        return AuthResult(success=True, auth_data=AuthInfo(login,
                                                           "SCRAM-SHA-256"))

    # -- envelope and data ------------------------------------------------

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address.lower() in self.reject:
            return REJECT_REPLY % address
        if address.lower() in self.tempfail:
            return TEMPFAIL_REPLY % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        ssl_object = server.transport.get_extra_info("ssl_object") \
            if server.transport is not None else None
        auth = session.auth_data if session.authenticated else None
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_options": list(envelope.mail_options),
            "rcpt_options": list(envelope.rcpt_options),
            "smtputf8": bool(envelope.smtp_utf8),
            "helo": session.host_name,
            "esmtp": bool(session.extended_smtp),
            "auth_user": getattr(auth, "login", None),
            "auth_mechanism": getattr(auth, "mechanism", None),
            "tls": "yes" if ssl_object is not None else "no",
            "tls_version": ssl_object.version() if ssl_object else None,
            "size": len(envelope.original_content),
        }
        with self._lock:
            n = next(self._counter)
        base = os.path.join(self.spool, str(n))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.write("\n")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 Ok: queued as %d" % n


class _SMTP(SMTP):
    """aiosmtpd writes a multi-line reply line by line; without TCP_NODELAY
    Nagle's algorithm and the client's delayed ACK hold every EHLO reply
    back for 40 ms.  (Each line still travels in its own segment, so
    clients see replies split across reads, as they must cope with.)"""

    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)


class _Controller(Controller):
    """Controller serving on a socket we bound ourselves (port 0, no race)."""

    def factory(self):
        return _SMTP(self.handler, **self.SMTP_kwargs)

    def __init__(self, handler, sock, **kwargs):
        self._sock = sock
        super().__init__(handler, hostname="127.0.0.1",
                         port=sock.getsockname()[1], **kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock,
                                       ssl=self.ssl_context)


def quiet_logging(debug=False):
    """aiosmtpd and asyncio log tracebacks for failed TLS handshakes the
    tests provoke on purpose; keep them off the test output."""
    for name in ("mail.log", "asyncio"):
        lg = logging.getLogger(name)
        if debug:
            lg.setLevel(logging.DEBUG)
            lg.propagate = True
        else:
            lg.setLevel(logging.CRITICAL + 1)
            lg.propagate = False
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)


class SmtpServer:
    """One aiosmtpd server on 127.0.0.1 in a thread of this process.

    start() returns once it answers connections (aiosmtpd's Controller
    connects to it to check), stop() always cleans up.
    """

    def __init__(self, spool, tls="starttls", cert=None, key=None,
                 user=None, password=None, reject=(), tempfail=(),
                 size=DEFAULT_SIZE, mechanisms=None, debug=False, port=0,
                 no_8bitmime=False, no_smtputf8=False, oauth=None):
        if tls not in ("starttls", "implicit", "none"):
            raise ValueError("tls must be starttls, implicit or none")
        if tls != "none" and not (cert and key):
            raise ValueError("tls=%s needs cert and key" % tls)
        self.spool = spool
        self.tls = tls
        self.port = None
        self._want_port = port
        self.handler = Handler(spool, user, password, reject, tempfail,
                               implicit_tls=(tls == "implicit"))
        self.handler.no_8bitmime = no_8bitmime
        self.handler.no_smtputf8 = no_smtputf8
        self.handler.oauth = oauth
        self._cert, self._key = cert, key
        self._size = size
        self._exclude = [m for m in MECHANISMS
                         if mechanisms is not None and m not in mechanisms]
        # XOAUTH2 and OAUTHBEARER only for the OAuth2 tests: other tests see the AUTH
        # line they always saw.
        if oauth is None:
            self._exclude += ["XOAUTH2", "OAUTHBEARER"]
        self._debug = debug
        self._controller = None

    def _ssl_context(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self._cert, self._key)
        return ctx

    def start(self):
        quiet_logging(self._debug)
        os.makedirs(self.spool, exist_ok=True)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self._want_port))
            sock.listen(16)
            kwargs = dict(
                server_hostname=HOSTNAME,
                data_size_limit=self._size or None,
                enable_SMTPUTF8=True,
                decode_data=False,
                authenticator=self.handler.authenticator,
                auth_exclude_mechanism=self._exclude,
                auth_require_tls=(self.tls == "starttls"),
                ready_timeout=10.0,
            )
            if self.tls == "starttls":
                kwargs.update(tls_context=self._ssl_context(),
                              require_starttls=True)
            elif self.tls == "implicit":
                # The connection is TLS from the start; aiosmtpd only knows
                # about STARTTLS, hence auth_require_tls=False above.
                kwargs.update(ssl_context=self._ssl_context())
            self._controller = _Controller(self.handler, sock, **kwargs)
            self.port = sock.getsockname()[1]
            self._controller.start()
        except BaseException:
            self.stop()
            sock.close()
            raise
        return self.port

    def stop(self):
        c, self._controller = self._controller, None
        if c is not None:
            try:
                c.stop(no_assert=True)
            except Exception:
                pass
            try:
                c._sock.close()
            except OSError:
                pass

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def messages(self):
        """[(meta dict, eml bytes)] of complete messages, in arrival order."""
        out = []
        names = [f for f in os.listdir(self.spool) if f.endswith(".json")]
        for name in sorted(names, key=lambda f: int(f.split(".")[0])):
            base = os.path.join(self.spool, name[:-len(".json")])
            with open(base + ".json", encoding="utf-8") as f:
                meta = json.load(f)
            with open(base + ".eml", "rb") as f:
                out.append((meta, f.read()))
        return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0,
                    help="TCP port on 127.0.0.1 (0: pick a free one)")
    ap.add_argument("--tls", choices=("starttls", "implicit", "none"),
                    default="starttls")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--auth", metavar="USER:PASSWORD")
    ap.add_argument("--spool", required=True)
    ap.add_argument("--reject", action="append", default=[], metavar="ADDR")
    ap.add_argument("--tempfail", action="append", default=[], metavar="ADDR")
    ap.add_argument("--size", type=int, default=DEFAULT_SIZE)
    ap.add_argument("--mechanisms", metavar="LIST",
                    help="comma-separated AUTH mechanisms to offer "
                         "(default: %s)" % ",".join(MECHANISMS))
    ap.add_argument("--debug", action="store_true")
    a = ap.parse_args(argv)
    user = password = None
    if a.auth:
        user, sep, password = a.auth.partition(":")
        if not sep:
            ap.error("--auth wants USER:PASSWORD")
    mechs = None
    if a.mechanisms:
        mechs = [m.strip().upper() for m in a.mechanisms.split(",") if m.strip()]
    srv = SmtpServer(a.spool, tls=a.tls, cert=a.cert, key=a.key, user=user,
                     password=password, reject=a.reject, tempfail=a.tempfail,
                     size=a.size, mechanisms=mechs, debug=a.debug,
                     port=a.port)

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: done.set())
    port = srv.start()
    try:
        sys.stdout.write("READY %d\n" % port)
        sys.stdout.flush()
        while not done.wait(3600):
            pass
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
