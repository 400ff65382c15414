#!/usr/bin/env python3
"""Hostile control-socket clients for test_abuse.sh.

abuse.py SOCKET TIMEOUT_MS: run every case; print one line per case;
exit 1 on the first failure. TIMEOUT_MS is hostlane's idle timeout.
"""
import json
import socket
import sys
import threading
import time

SOCK, TIMEOUT = sys.argv[1], int(sys.argv[2]) / 1000.0
LINE_MAX = 4096


class CheckFailed(Exception):
    """A case's expectation did not hold."""


def check(cond, what):
    """Fail the case unless cond holds (python -O would strip an assert)."""
    if not cond:
        raise CheckFailed(what)


def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT + 10)
    s.connect(SOCK)
    return s


def read_line(s):
    buf = b""
    while b"\n" not in buf:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return buf


def reply(s):
    line = read_line(s)
    check(line.endswith(b"\n"), "no complete reply line: %r" % line[:200])
    return json.loads(line)


def ask(s, line):
    s.sendall(line + b"\n")
    return reply(s)


def err_code(r):
    check(r["ok"] is False, "not an error reply: %r" % r)
    check(set(r) == {"ok", "error"} and set(r["error"]) == {"code", "message"},
          "error reply of the wrong shape: %r" % r)
    return r["error"]["code"]


def closed(s):
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def case_bad_requests():
    s = conn()
    for line, code in [
            (b"{", "bad_json"),
            (b"not json at all", "bad_json"),
            (b"[1, 2]", "bad_json"),
            (b'"version"', "bad_json"),
            (b"{}", "bad_json"),
            (b'{"cmd": 5}', "bad_json"),
            (b'{"cmd": "version", "extra": 1}', "bad_json"),
            (b'{"cmd": "version", "cmd": "help"}', "bad_json"),
            (b'{"cmd": "version\\u0000"}', "bad_json"),
            (b'\xff\xfe{"cmd": "version"}', "bad_json"),
            (b'{"cmd": "nosuch"}', "unknown_command"),
            (b'{"cmd": "guest"}', "unknown_command"),
            (b'{"cmd": "version", "args": []}', "bad_args"),
            (b'{"cmd": "version", "args": {"x": 1}}', "bad_args"),
            (b'{"cmd": "guest show"}', "bad_args"),
            (b'{"cmd": "guest show", "args": {"name": 5}}', "bad_args"),
            (b'{"cmd": "guest show", "args": {"name": null}}', "bad_args"),
            (b'{"cmd": "guest add", "args": {"name": "x", "max_sessions": "4"}}', "bad_args"),
            (b'{"cmd": "guest add", "args": {"name": "x", "max_sessions": -4}}', "bad_args"),
            (b'{"cmd": "guest add", "args": {"name": "x", "max_sessions": 4.5}}', "bad_args"),
            (b'{"cmd": "guest add", "args": {"name": "x", "secret": 12}}', "bad_args"),
            (b'{"cmd": "guest add", "args": {"name": "x", "max_sessions": 99999999999999999999}}', "bad_json"),
            (b'{"cmd": "guest add", "args": {"name": "' + b"x" * 200 + b'"}}', "bad_args"),
            (b'{"cmd": "log level", "args": {"level": ["debug"]}}', "bad_args"),
            (b'{"cmd": "stats", "args": {"guest": "nosuch"}}', "not_found"),
            (b'{"cmd": "guest remove", "args": {"name": "nosuch"}}', "not_found"),
    ]:
        code_got = err_code(ask(s, line))
        check(code_got == code, "%r: %s, not %s" % (line, code_got, code))
    r = ask(s, b'{"cmd": "version"}')
    check(r["ok"] is True, "version failed: %r" % r)
    r = ask(s, b'  {"cmd":"version","args":{}}  \r')
    check(r["ok"] is True, "version failed: %r" % r)
    s.close()
    print("bad requests: each gets its error code; the connection stays usable")


def case_too_long():
    s = conn()
    s.sendall(b'{"cmd": "version", "pad": "' + b"x" * (LINE_MAX + 100))
    code = err_code(reply(s))
    check(code == "too_long", "unterminated long line: %s, not too_long" % code)
    check(closed(s), "connection not closed after too_long")
    s = conn()
    s.sendall(b"x" * (3 * LINE_MAX) + b"\n")
    code = err_code(reply(s))
    check(code == "too_long", "line of %d bytes: %s, not too_long" % (3 * LINE_MAX, code))
    check(closed(s), "connection not closed after a line of %d bytes" % (3 * LINE_MAX))
    # Just under the limit is fine (bad JSON, but read in full).
    s = conn()
    code = err_code(ask(s, b"y" * (LINE_MAX - 1)))
    check(code == "bad_json", "line of %d bytes: %s, not bad_json" % (LINE_MAX - 1, code))
    s.close()
    print("a line over %d bytes: too_long, then closed" % LINE_MAX)


def timed_drop(s, what):
    t0 = time.monotonic()
    r = reply(s)
    dt = time.monotonic() - t0
    check(err_code(r) == "timeout", "%s: %r, not a timeout error" % (what, r))
    check(closed(s), "%s: not closed after timeout" % what)
    return dt


def case_silent():
    s = conn()
    dt = timed_drop(s, "silent client")
    check(dt >= TIMEOUT * 0.8, "dropped after %.1f s, before the %.1f s timeout" % (dt, TIMEOUT))
    print("a client that never sends: dropped after %.1f s" % dt)


def case_dribble():
    s = conn()
    t0 = time.monotonic()
    line = b'{"cmd": "version"}'
    sent = 0
    try:
        while sent < len(line):
            s.sendall(line[sent:sent + 1])
            sent += 1
            time.sleep(1.0)
            s.settimeout(0.01)
            try:
                d = s.recv(65536)
                break
            except socket.timeout:
                pass
            finally:
                s.settimeout(TIMEOUT + 10)
        else:
            d = read_line(s)
    except (BrokenPipeError, ConnectionResetError):
        d = b""
    dt = time.monotonic() - t0
    check(sent < len(line), "the whole line went through one byte a second")
    check(d == b"" or json.loads(d.split(b"\n")[0])["error"]["code"] == "timeout",
          "dribbling client got %r, not a timeout error" % d[:200])
    print("one byte a second: dropped after %.1f s (%d bytes)" % (dt, sent))


def case_no_reader():
    s = conn()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b'{"cmd": "stats"}\n' * 200)
    time.sleep(TIMEOUT + 1.5)
    # The server gave up on us: reading ends with EOF (or a reset), not
    # with our socket timeout.
    got = 0
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)
    except (ConnectionResetError, BrokenPipeError):
        pass
    except socket.timeout:
        check(False, "a client that never reads was not dropped (%d bytes read)" % got)
    print("a client that never reads its replies: dropped (%d bytes were queued)" % got)


def case_pipeline():
    s = conn()
    n = 30
    s.sendall(b'{"cmd": "stats"}\n' * n + b'{"cmd": "version"}')
    s.shutdown(socket.SHUT_WR)
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    lines = buf.split(b"\n")
    check(lines[-1] == b"", "reply not newline-terminated")
    replies = [json.loads(x) for x in lines[:-1]]
    check(len(replies) == n + 1 and all(r["ok"] for r in replies),
          "%d replies (want %d), failed: %r" % (len(replies), n + 1,
                                               [r for r in replies if not r["ok"]][:3]))
    check("dpdk" in replies[-1]["result"], "the last reply is not version's: %r" % replies[-1])
    print("%d pipelined requests, the last without a newline, then EOF: "
          "%d replies, then closed" % (n + 1, len(replies)))


def case_crowd(n=100):
    socks = [conn() for _ in range(n)]
    results = [None] * n

    def one(i):
        try:
            try:
                socks[i].sendall(b'{"cmd": "guest list"}\n')
            except BrokenPipeError:
                pass    # refused at once: the busy reply is waiting for us
            results[i] = reply(socks[i])
        except Exception as e:  # noqa: BLE001 - reported below
            results[i] = e

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT + 15)
    ok = sum(1 for r in results if isinstance(r, dict) and r.get("ok") is True)
    busy = sum(1 for r in results if isinstance(r, dict) and r.get("ok") is False
               and r["error"]["code"] == "busy")
    bad = [r for r in results if not (isinstance(r, dict) and (r.get("ok") is True or
                                                             r["error"]["code"] == "busy"))]
    for s in socks:
        s.close()
    check(not bad, "clients neither served nor refused: %r" % bad[:3])
    check(ok >= 1 and ok + busy == n, "%d served + %d busy, of %d clients" % (ok, busy, n))
    print("%d clients at once: %d served, %d refused with busy" % (n, ok, busy))


def case_after():
    s = conn()
    r = ask(s, b'{"cmd": "version"}')
    check(r["ok"] is True, "version failed: %r" % r)
    print("still serving afterwards")


CASES = [case_bad_requests, case_too_long, case_pipeline, case_crowd, case_silent, case_dribble,
         case_no_reader, case_after]

if __name__ == "__main__":
    # The slow cases run side by side with the others, as real abuse would.
    slow = [case_silent, case_dribble, case_no_reader]
    errors = []

    def run(c):
        try:
            c()
        except Exception as e:  # noqa: BLE001 - reported
            errors.append("%s: %s: %s" % (c.__name__, type(e).__name__, e))

    bg = [threading.Thread(target=run, args=(c,)) for c in slow]
    for t in bg:
        t.start()
    for c in CASES:
        if c not in slow and c is not case_after:
            run(c)
    for t in bg:
        t.join()
    run(case_after)
    for e in errors:
        print("FAIL", e)
    sys.exit(1 if errors else 0)
