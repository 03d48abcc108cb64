#!/bin/sh
# demo.sh - send one message through a throw-away local submission server and watch the SMTP dialogue live.
#
# Usage: tests/demo.sh [--ui] [path/to/pigeon]      (default: ./pigeon)
#
# With --ui (and a terminal), pigeon's interactive composer opens on the
# demo account instead: m composes, y sends while the transcript pane
# shows the dialogue, q quits; the server stops when pigeon ends.
#
# Makes a throw-away CA and server certificate, starts tests/integration/
# smtpd.py (STARTTLS required, AUTH as user "demo" with password "demo")
# on a free port of 127.0.0.1, writes a temporary pigeon config, and pipes
# a short message through "pigeon sendmail -v" so the transcript shows on
# the terminal.  Then it shows what the server received.  Everything lives
# in a temporary directory that is removed on exit (KEEP=1 keeps it), and
# the server is always stopped.  pigeon runs with HOME and XDG directories
# inside that directory, so your own configuration and folders are not
# touched.  Needs Debian's /usr/bin/python3 with python3-aiosmtpd, and
# openssl.
#
# SPDX-License-Identifier: ISC

set -eu

ui=0
if [ "${1:-}" = --ui ]; then
	ui=1
	shift
fi
PIGEON=${1:-./pigeon}
PY=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$PIGEON" ]; then
	echo "demo.sh: $PIGEON is not an executable file (run make first)" >&2
	exit 2
fi
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
	echo "demo.sh: $PY cannot import aiosmtpd (apt-get install python3-aiosmtpd)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pigeon-demo.XXXXXX")
srv_pid=

cleanup() {
	if [ -n "$srv_pid" ]; then
		kill "$srv_pid" 2>/dev/null || :
		wait "$srv_pid" 2>/dev/null || :
	fi
	exec 3<&- 2>/dev/null || :
	if [ "${KEEP:-0}" = 1 ]; then
		echo "demo.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# A throw-away CA and a certificate for 127.0.0.1 signed by it.
"$PY" "$here/integration/certs.py" "$tmp/pki" >/dev/null

# Start the server.  It prints "READY <port>" once it answers
# connections; reading that line through a FIFO waits for it without
# polling.  Descriptor 3 stays open so the server never writes to a
# closed pipe.
mkfifo "$tmp/ready"
"$PY" "$here/integration/smtpd.py" --port 0 --tls starttls \
	--cert "$tmp/pki/server.pem" --key "$tmp/pki/server.key" \
	--auth demo:demo --spool "$tmp/spool" \
	>"$tmp/ready" 2>"$tmp/smtpd.log" &
srv_pid=$!
exec 3<"$tmp/ready"
ready= port=
read -r ready port <&3 || :
if [ "$ready" != READY ] || [ -z "$port" ]; then
	echo "demo.sh: the test server did not start:" >&2
	cat "$tmp/smtpd.log" >&2
	exit 1
fi

mkdir -p "$tmp/home"
cfg=$tmp/config
cat >"$cfg" <<EOF
# pigeon demo configuration (temporary)
default = demo

[account demo]
from = Pigeon Demo <demo@example.org>
server = smtp://127.0.0.1:$port
user = demo
password_command = echo demo
tls_cafile = $tmp/pki/ca.pem
timeout = 10
EOF
chmod 600 "$cfg"

echo "== a submission server is listening on 127.0.0.1 port $port (STARTTLS, AUTH)"
if [ "$ui" = 1 ]; then
	if [ ! -t 0 ] || [ ! -t 1 ]; then
		echo "demo.sh: --ui needs a terminal" >&2
		exit 2
	fi
	echo "== opening pigeon on the demo account: m composes, y sends, q quits"
	status=0
	HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config \
	XDG_DATA_HOME=$tmp/home/.local/share \
	XDG_STATE_HOME=$tmp/home/.local/state \
	XDG_CACHE_HOME=$tmp/home/.cache \
	"$PIGEON" --config "$cfg" || status=$?
	n=$(ls "$tmp/spool" 2>/dev/null | grep -c '\.eml$' || :)
	echo "== the server stored ${n:-0} message(s) in $tmp/spool"
	exit "$status"
fi
echo "== running: $PIGEON sendmail --config $cfg -v demo@example.org"
echo

status=0
HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config \
XDG_DATA_HOME=$tmp/home/.local/share XDG_STATE_HOME=$tmp/home/.local/state \
XDG_CACHE_HOME=$tmp/home/.cache \
"$PIGEON" sendmail --config "$cfg" -v demo@example.org <<'EOF' || status=$?
From: Pigeon Demo <demo@example.org>
To: Demo Reader <demo@example.org>
Subject: Hello from pigeon

Hello!

This message travelled from pigeon to a small SMTP server on your own
machine: EHLO, STARTTLS, a fresh EHLO inside TLS, AUTH (the secret shows
as [redacted]), MAIL, RCPT, DATA and QUIT, each line with its time.

.This line starts with a dot: it travels as "..This" on the wire
(dot-stuffing) and arrives as you see it here.

Coo,
  pigeon
EOF

echo
if [ "$status" -ne 0 ]; then
	echo "== pigeon exited with status $status"
	exit "$status"
fi
if [ ! -f "$tmp/spool/1.eml" ]; then
	echo "== pigeon succeeded, but the server stored no message" >&2
	exit 1
fi
echo "== the server stored the message in $tmp/spool/1.eml"
echo "== (envelope and session in $tmp/spool/1.json;" \
	"removed on exit unless KEEP=1):"
echo
tr -d '\r' <"$tmp/spool/1.eml"
echo
echo "== envelope:"
cat "$tmp/spool/1.json"
