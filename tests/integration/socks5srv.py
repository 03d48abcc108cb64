# SPDX-License-Identifier: ISC
"""socks5srv.py - a small SOCKS5 proxy (RFC 1928, login RFC 1929) for the tests: CONNECT only, names resolved here from a table the test gives, failures on request, and a record of every request."""

import asyncio
import socket
import struct
import threading


class Socks5Server:
    """A SOCKS5 proxy on 127.0.0.1 in a thread of this process.

    users: {name: password} to ask for a login (method 2), or None to
    take anyone (method 0).  hosts: {name: address} the proxy resolves
    names with (nothing else resolves, so a test proves the client sent
    the name); a name not there is refused with reply 4.  rep: a reply
    code to refuse every CONNECT with (None: connect).  requests:
    (kind, host, port) of each CONNECT, kind "name", "ipv4" or "ipv6";
    logins: (user, password) of each login.
    """

    def __init__(self, users=None, hosts=None, rep=None):
        self.users = users
        self.hosts = dict(hosts or {})
        self.rep = rep
        self.requests = []
        self.logins = []
        self.port = None
        self._loop = None
        self._thread = None
        self._server = None
        self._ready = threading.Event()

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the SOCKS5 server did not start")
        return self.port

    def _run(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(
            self._client, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._server.close()
        self._loop.run_until_complete(self._server.wait_closed())
        # Connections still open (a client slow to hang up on a loaded
        # machine) end here, while the loop can still close them.
        pending = asyncio.all_tasks(self._loop)
        for t in pending:
            t.cancel()
        self._loop.run_until_complete(
            asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    def stop(self):
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    async def _reply(self, w, rep):
        w.write(b"\x05" + bytes([rep]) + b"\x00\x01\x00\x00\x00\x00\x00\x00")
        await w.drain()

    async def _client(self, r, w):
        try:
            await self._serve(r, w)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            w.close()

    async def _serve(self, r, w):
        ver, n = await r.readexactly(2)
        methods = await r.readexactly(n)
        if ver != 5:
            return
        want = 2 if self.users is not None else 0
        if want not in methods:
            w.write(b"\x05\xff")
            await w.drain()
            return
        w.write(bytes([5, want]))
        await w.drain()
        if want == 2:
            _, ulen = await r.readexactly(2)
            user = (await r.readexactly(ulen)).decode("utf-8", "replace")
            plen = (await r.readexactly(1))[0]
            pw = (await r.readexactly(plen)).decode("utf-8", "replace")
            self.logins.append((user, pw))
            ok = self.users.get(user) == pw
            w.write(b"\x01" + (b"\x00" if ok else b"\x01"))
            await w.drain()
            if not ok:
                return
        ver, cmd, _, atyp = await r.readexactly(4)
        if atyp == 3:
            host = (await r.readexactly((await r.readexactly(1))[0])
                    ).decode("ascii", "replace")
            kind = "name"
        elif atyp == 1:
            host = socket.inet_ntop(socket.AF_INET, await r.readexactly(4))
            kind = "ipv4"
        else:
            host = socket.inet_ntop(socket.AF_INET6, await r.readexactly(16))
            kind = "ipv6"
        port = struct.unpack("!H", await r.readexactly(2))[0]
        self.requests.append((kind, host, port))
        if cmd != 1:
            await self._reply(w, 7)
            return
        if self.rep is not None:
            await self._reply(w, self.rep)
            return
        addr = self.hosts.get(host) if kind == "name" else host
        if addr is None:
            await self._reply(w, 4)
            return
        try:
            ur, uw = await asyncio.open_connection(addr, port)
        except OSError:
            await self._reply(w, 5)
            return
        await self._reply(w, 0)
        await asyncio.gather(self._pipe(r, uw), self._pipe(ur, w))

    @staticmethod
    async def _pipe(r, w):
        try:
            while True:
                data = await r.read(65536)
                if not data:
                    break
                w.write(data)
                await w.drain()
        except ConnectionError:
            pass
        finally:
            try:
                w.close()
            except Exception:
                pass
