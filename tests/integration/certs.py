# SPDX-License-Identifier: ISC
"""certs.py - throw-away TLS certificates for the integration tests, made with the openssl CLI.

Everything is generated at test time into a directory the caller owns
(usually a temporary one), so no key material lives in the repository:

    pki = Pki(tmpdir)
    pki.ca_cert                 the CA certificate, for tls_cafile
    pki.server()                (cert, key) signed by the CA for
                                IP:127.0.0.1 and DNS:localhost
    pki.wrong_name()            (cert, key) signed by the CA, but for
                                DNS:other.example only
    pki.self_signed()           (cert, key) self-signed for 127.0.0.1 and
                                localhost, not known to any CA file
    pki.server_cn(cn)           (cert, key) like server(), but its subject's
                                CN is cn (any text without NUL: a
                                backslash, a control character)

Keys are EC P-256: quick to make, and every TLS stack we test with (OpenSSL,
GnuTLS in msmtp, Python's ssl) accepts them.  Usable as a script too:
`certs.py DIR` writes the CA and the server certificate into DIR.
"""

import os
import subprocess
import sys

OPENSSL = os.environ.get("OPENSSL", "openssl")

# Two days: long enough for any test run, short enough to be obviously
# throw-away if one ever leaks out of its temporary directory.
DAYS = "2"

SERVER_NAMES = ("IP:127.0.0.1", "DNS:localhost")


def _run(args, cwd):
    proc = subprocess.run([OPENSSL] + list(args), cwd=cwd,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise RuntimeError("openssl %s failed (%d): %s" % (
            " ".join(args), proc.returncode,
            proc.stderr.decode("utf-8", "replace").strip()))


def _write(path, text):
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


class Pki:
    """A CA and the certificates the tests need, made lazily in directory d."""

    def __init__(self, d):
        self.dir = os.path.abspath(d)
        os.makedirs(self.dir, exist_ok=True)
        self.ca_cert = os.path.join(self.dir, "ca.pem")
        self.ca_key = os.path.join(self.dir, "ca.key")
        self._made = {}
        self._make_ca()

    def path(self, name):
        return os.path.join(self.dir, name)

    def _make_ca(self):
        _write(self.path("ca.cnf"),
               "[req]\n"
               "distinguished_name = dn\n"
               "x509_extensions = v3_ca\n"
               "prompt = no\n"
               "[dn]\n"
               "CN = pigeon test CA (throw-away)\n"
               "[v3_ca]\n"
               "basicConstraints = critical, CA:TRUE\n"
               "keyUsage = critical, keyCertSign, cRLSign\n"
               "subjectKeyIdentifier = hash\n")
        _run(["req", "-x509", "-new", "-newkey", "ec",
              "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-days", DAYS, "-config", "ca.cnf",
              "-keyout", "ca.key", "-out", "ca.pem"], self.dir)

    def _leaf(self, name, names, self_signed=False, cn=None):
        """Make name.pem/name.key for the subjectAltName entries in names."""
        if name in self._made:
            return self._made[name]
        san = ", ".join(names)
        if cn is None:
            cn = names[0].split(":", 1)[1]
        ext = ("basicConstraints = critical, CA:FALSE\n"
               "keyUsage = critical, digitalSignature, keyEncipherment\n"
               "extendedKeyUsage = serverAuth\n"
               "subjectKeyIdentifier = hash\n"
               "subjectAltName = %s\n" % san)
        cert, key = name + ".pem", name + ".key"
        if self_signed:
            _write(self.path(name + ".cnf"),
                   "[req]\n"
                   "distinguished_name = dn\n"
                   "x509_extensions = v3\n"
                   "prompt = no\n"
                   "[dn]\n"
                   "CN = %s\n"
                   "[v3]\n" % cn + ext)
            _run(["req", "-x509", "-new", "-newkey", "ec",
                  "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-days", DAYS, "-config", name + ".cnf",
                  "-keyout", key, "-out", cert], self.dir)
        else:
            _write(self.path(name + ".ext"),
                   ext + "authorityKeyIdentifier = keyid\n")
            _run(["req", "-new", "-newkey", "ec",
                  "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-subj", "/CN=" + cn.replace("\\", "\\\\")
                  .replace("/", "\\/"),
                  "-keyout", key, "-out", name + ".csr"], self.dir)
            _run(["x509", "-req", "-in", name + ".csr",
                  "-CA", "ca.pem", "-CAkey", "ca.key",
                  "-set_serial", str(1000 + len(self._made)),
                  "-days", DAYS, "-extfile", name + ".ext",
                  "-out", cert], self.dir)
        pair = (self.path(cert), self.path(key))
        self._made[name] = pair
        return pair

    def server(self):
        """(cert, key) signed by the CA for 127.0.0.1 and localhost."""
        return self._leaf("server", SERVER_NAMES)

    def wrong_name(self):
        """(cert, key) signed by the CA, valid only for other.example."""
        return self._leaf("wrongname", ("DNS:other.example",))

    def self_signed(self):
        """(cert, key) self-signed for 127.0.0.1 and localhost."""
        return self._leaf("selfsigned", SERVER_NAMES, self_signed=True)

    def server_cn(self, cn):
        """(cert, key) signed by the CA for 127.0.0.1 and localhost, with
        cn as its subject's common name, byte for byte."""
        key = ("cn", cn)
        if key not in self._made:
            self._made[key] = self._leaf("cn%d" % len(self._made),
                                         SERVER_NAMES, cn=cn)
        return self._made[key]


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: certs.py DIR\n")
        return 64
    pki = Pki(argv[1])
    cert, key = pki.server()
    print("ca=%s\ncert=%s\nkey=%s" % (pki.ca_cert, cert, key))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
