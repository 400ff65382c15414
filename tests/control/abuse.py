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
    assert line.endswith(b"\n"), "no complete reply line: %r" % line[:200]
    return json.loads(line)


def ask(s, line):
    s.sendall(line + b"\n")
    return reply(s)


def err_code(r):
    assert r["ok"] is False, r
    assert set(r) == {"ok", "error"} and set(r["error"]) == {"code", "message"}, r
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
        assert code_got == code, "%r: %s, not %s" % (line, code_got, code)
    r = ask(s, b'{"cmd": "version"}')
    assert r["ok"] is True, r
    r = ask(s, b'  {"cmd":"version","args":{}}  \r')
    assert r["ok"] is True, r
    s.close()
    print("bad requests: each gets its error code; the connection stays usable")


def case_too_long():
    s = conn()
    s.sendall(b'{"cmd": "version", "pad": "' + b"x" * (LINE_MAX + 100))
    assert err_code(reply(s)) == "too_long"
    assert closed(s), "connection not closed after too_long"
    s = conn()
    s.sendall(b"x" * (3 * LINE_MAX) + b"\n")
    assert err_code(reply(s)) == "too_long"
    assert closed(s)
    # Just under the limit is fine (bad JSON, but read in full).
    s = conn()
    assert err_code(ask(s, b"y" * (LINE_MAX - 1))) == "bad_json"
    s.close()
    print("a line over %d bytes: too_long, then closed" % LINE_MAX)


def timed_drop(s, what):
    t0 = time.monotonic()
    r = reply(s)
    dt = time.monotonic() - t0
    assert err_code(r) == "timeout", r
    assert closed(s), "%s: not closed after timeout" % what
    return dt


def case_silent():
    s = conn()
    dt = timed_drop(s, "silent client")
    assert TIMEOUT * 0.8 <= dt <= TIMEOUT + 3, "dropped after %.1f s" % dt
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
    assert sent < len(line), "the whole line went through one byte a second"
    assert d == b"" or json.loads(d.split(b"\n")[0])["error"]["code"] == "timeout", d
    assert dt <= TIMEOUT + 3, "dropped only after %.1f s" % dt
    print("one byte a second: dropped after %.1f s (%d bytes)" % (dt, sent))


def case_no_reader():
    s = conn()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b'{"cmd": "stats"}\n' * 200)
    time.sleep(TIMEOUT + 1.5)
    # The server gave up on us: reading ends with EOF (or a reset).
    got = 0
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)
    except (ConnectionResetError, BrokenPipeError):
        pass
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
    assert lines[-1] == b"", "reply not newline-terminated"
    replies = [json.loads(x) for x in lines[:-1]]
    assert len(replies) == n + 1 and all(r["ok"] for r in replies), len(replies)
    assert "dpdk" in replies[-1]["result"]
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
    assert not bad, "clients neither served nor refused: %r" % bad[:3]
    assert ok >= 1 and ok + busy == n, (ok, busy)
    print("%d clients at once: %d served, %d refused with busy" % (n, ok, busy))


def case_after():
    s = conn()
    r = ask(s, b'{"cmd": "version"}')
    assert r["ok"] is True, r
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
