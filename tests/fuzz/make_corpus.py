#!/usr/bin/env python3
"""Write the seed corpora of tests/fuzz/corpus/<target>/: a few small valid
inputs and edge cases per target, in the input formats the fuzz_*.c headers
describe. Run from anywhere; rewrites the seed files it names and leaves any
other file (inputs kept from long runs) alone."""
import os
import struct
import zlib

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(top, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- memif control messages ------------------------------------------------
COOKIE = 0x3E31F20
FD_NONE, FD_BIG, FD_SMALL, FD_EVENT, FD_UNSEALED, FD_PIPE, FD_WSEALED, FD_ZERO = range(8)


def msg(mtype, body=b""):
    m = struct.pack("<H", mtype) + body
    return m + b"\0" * (128 - len(m))


def init(version=0x0200, iid=0, mode=0, secret=b"", name=b"fuzz-guest"):
    return msg(3, struct.pack("<HIB", version, iid, mode) + secret.ljust(24, b"\0")
               + name.ljust(32, b"\0")[:32])


def add_region(index, size):
    return msg(4, struct.pack("<HQ", index, size))


def add_ring(c2s, index, region, offset, log2, priv=0):
    return msg(5, struct.pack("<HHHIBH", 1 if c2s else 0, index, region, offset, log2, priv))


def connect(name=b"fuzz0"):
    return msg(6, name.ljust(32, b"\0"))


def rec(fd, m):
    return bytes([fd]) + m


def hs(limits, *recs):
    return bytes(limits) + b"".join(recs)


good = [rec(FD_NONE, init()), rec(FD_BIG, add_region(0, 1 << 20)),
        rec(FD_EVENT, add_ring(True, 0, 0, 0, 8)),
        rec(FD_EVENT, add_ring(False, 0, 0, 8192, 8)), rec(FD_NONE, connect())]
put("memif_hs", "handshake", hs([3, 11], *good))
put("memif_hs", "handshake-secret",
    hs([3 | 8, 11], rec(FD_NONE, init(secret=b"fuzz-secret")), *good[1:]))
put("memif_hs", "two-regions", hs([3, 11], good[0], good[1],
    rec(FD_SMALL, add_region(1, 4096)), rec(FD_EVENT, add_ring(True, 0, 1, 0, 4)),
    rec(FD_EVENT, add_ring(False, 0, 0, 0, 14)), good[4]))
put("memif_hs", "bad-secret", hs([8, 11], rec(FD_NONE, init(secret=b"nope"))))
put("memif_hs", "region-too-big", hs([3, 11], good[0], rec(FD_SMALL, add_region(0, 8192))))
put("memif_hs", "region-unsealed", hs([3, 11], good[0], rec(FD_UNSEALED, add_region(0, 4096))))
put("memif_hs", "region-wsealed", hs([3, 11], good[0], rec(FD_WSEALED, add_region(0, 4096))))
put("memif_hs", "region-pipe", hs([3, 11], good[0], rec(FD_PIPE, add_region(0, 4096))))
put("memif_hs", "ring-wrap", hs([3, 11], good[0], good[1],
    rec(FD_EVENT, add_ring(True, 0, 0, 0xFFFFFFC0, 8))))
put("memif_hs", "rings-overlap", hs([3, 11], good[0], good[1], good[2],
    rec(FD_EVENT, add_ring(False, 0, 0, 64, 8))))
put("memif_hs", "no-cookie", hs([3, 11], good[0], rec(FD_ZERO, add_region(0, 1 << 20)),
    good[2], good[3], good[4]))
put("memif_hs", "fd-on-init", hs([0, 0], rec(FD_EVENT, init())))
put("memif_hs", "order", hs([0, 0], rec(FD_NONE, connect()), rec(FD_NONE, msg(2)),
    rec(FD_NONE, msg(8)), rec(FD_NONE, msg(0xFFFF)), good[0], good[0]))

# ---- ring layouts ------------------------------------------------------------
def desc(flags, region, length, offset):
    return struct.pack("<HHIII", flags, region, length, offset, 0)


def ring_input(lc, ls, chain, frame, c_last, s_last, c_n, s_n, flags, r0x, r1,
               c2s, s2c, data=b"", extra=()):
    h = struct.pack("<BBBHHHHHBHH", lc - 1, ls - 1, chain - 1, frame, c_last, s_last,
                    c_n, s_n, flags, r0x, r1)
    h += bytes([len(extra)]) + b"".join(struct.pack("<H", e) for e in extra)
    c2s = b"".join(c2s).ljust(16 << lc, b"\0")
    s2c = b"".join(s2c).ljust(16 << ls, b"\0")
    return h + c2s + s2c + data


# log2 5 both rings: region 0 = rings (128+512, 64-aligned: 640 + 640) then buffers.
RB = 1280
frame60 = bytes(range(60))
put("memif_ring", "one-frame", ring_input(5, 5, 8, 9000, 0, 0, 1, 4, 0 | (3 << 2), 8192, 100,
    [desc(0, 0, 60, RB)], [desc(0, 0, 2048, RB + 2048 + 64 * i) for i in range(4)],
    frame60))
put("memif_ring", "chain", ring_input(5, 5, 8, 9000, 65530, 65534, 3, 8, 1 | 2 | (7 << 2), 8192, 4096,
    [desc(1, 0, 20, RB), desc(1, 1, 20, 0), desc(0, 0, 20, RB + 20)],
    [desc(0, 0, 64, RB + 4096 + 64 * i) for i in range(8)], frame60))
put("memif_ring", "bad-region", ring_input(5, 5, 8, 9000, 0, 0, 1, 1, 0, 1024, 1,
    [desc(0, 7, 60, 0)], [desc(0, 0, 60, RB)]))
put("memif_ring", "wrap32", ring_input(5, 5, 8, 9000, 0, 0, 1, 1, 0, 1024, 1,
    [desc(0, 0, 0x40, 0xFFFFFFF0)], [desc(0, 0, 0xFFFFFFFF, 16)]))
put("memif_ring", "open-chain", ring_input(4, 4, 64, 65535, 0, 0, 2, 0, 0, 1024, 1,
    [desc(1, 0, 10, RB), desc(1, 0, 10, RB)], []))
put("memif_ring", "head-jump", ring_input(3, 3, 4, 2048, 100, 100, 9, 0xFFFF, 0, 1024, 1,
    [], []))
put("memif_ring", "runt-and-tx", ring_input(2, 6, 4, 2048, 0, 0, 2, 3, 2, 4000, 64,
    [desc(0, 0, 0, RB), desc(0, 0, 10, RB)],
    [desc(0, 1, 64, 0), desc(0, 0, 4000, 0), desc(0, 0, 5, RB)], b"", extra=(1500, 0, 60)))

# ---- hostlane frames -----------------------------------------------------------
MAC_H = b"\x02\0\0\0\0\x01"
MAC_G = b"\x02\0\0\0\0\x02"


def hl(op, payload=b"", session=0, req=1, flags=0, version=1, magic=0x4E414C48,
       plen=None, arg0=0, arg1=0, etype=0x88B5):
    eth = MAC_H + MAC_G + struct.pack(">H", etype)
    hdr = struct.pack("<IHHHHIQIHHQQH", magic, version, op, flags, 0, session, req,
                      len(payload) if plen is None else plen, 0, 0, arg0, arg1, 0)
    return eth + hdr + payload


hello = b"guest".ljust(32, b"\0") + struct.pack("<HHHHII", 1, 1, 8, 0, 1984, 0)


def fn_open(name, place=0):
    return name.ljust(32, b"\0") + bytes([place]) + b"\0" * 7


put("proto", "hello", hl(1, hello))
put("proto", "fn-open", hl(3, fn_open(b"factorial")))
put("proto", "fn-open-bad-name", hl(3, fn_open(b"fact orial")))
put("proto", "fn-open-unterminated", hl(3, b"a" * 32 + b"\0" * 8))
put("proto", "fn-call", hl(5, b"\x07" * 100, session=0x10001, arg0=10, arg1=1))
put("proto", "runt", hl(1)[:40])
put("proto", "bad-magic", hl(1, magic=0))
put("proto", "bad-version", hl(1, version=2))
put("proto", "bad-opcode", hl(0x7F))
put("proto", "too-large", hl(5, plen=1985))
put("proto", "beyond-frame", hl(5, b"x" * 10, plen=0xFFFFFFC0))
put("proto", "reply-flag", hl(1, hello, flags=1))
put("proto", "max-payload", hl(6, b"\xaa" * 1984))


def bulk(region=1, in_len=4096, in_off=0, out_off=8192, out_cap=4096, r0=0, r1=0):
    return struct.pack("<HHIQQII", region, r0, in_len, in_off, out_off, out_cap, r1)


# FN_CALL_BULK; the 8 bytes after the payload are a region size for the target.
size64k = struct.pack("<Q", 1 << 16)
put("proto", "bulk", hl(0x0A, bulk() + size64k, session=0x10001, plen=32))
put("proto", "bulk-at-end", hl(0x0A, bulk(in_off=0xF000, out_off=0x10000, out_cap=0)
                               + size64k, session=0x10001, plen=32))
put("proto", "bulk-wrap", hl(0x0A, bulk(in_off=2**64 - 16) + size64k, session=0x10001, plen=32))
put("proto", "bulk-overlap", hl(0x0A, bulk(out_off=2048) + size64k, session=0x10001, plen=32))
put("proto", "bulk-reserved", hl(0x0A, bulk(r1=1), session=0x10001))
put("proto", "bulk-too-large", hl(0x0A, bulk(in_len=(16 << 20) + 1), session=0x10001))
put("proto", "bulk-short", hl(0x0A, bulk()[:31], session=0x10001))



# STATS_REPORT: the 8-byte head and 48-byte entries.
def ifstats(name, rxp=0, txp=0, rxb=0, txb=0):
    return name.ljust(16, b"\0")[:16] + struct.pack("<QQQQ", rxp, txp, rxb, txb)


def report(*entries, count=None, r0=0, r1=0):
    return struct.pack("<HHI", len(entries) if count is None else count, r0, r1) + b"".join(entries)


put("proto", "report", hl(0x80, report(ifstats(b"eth0", 10, 20, 1000, 2000),
                                       ifstats(b"ens3", 1, 1, 64, 64))))
put("proto", "report-max", hl(0x80, report(*[ifstats(b"if%d" % i, i) for i in range(8)])))
put("proto", "report-nine", hl(0x80, report(*[ifstats(b"if%d" % i) for i in range(9)])))
put("proto", "report-short", hl(0x80, report(ifstats(b"eth0"))[:50]))
put("proto", "report-count-lies", hl(0x80, report(ifstats(b"eth0"), count=2)))
put("proto", "report-no-nul", hl(0x80, report(ifstats(b"abcdefghijklmnop"))))
put("proto", "report-dup", hl(0x80, report(ifstats(b"eth0"), ifstats(b"eth0"))))
put("proto", "report-dotdot", hl(0x80, report(ifstats(b".."), ifstats(b"a/b"))))
put("proto", "report-reserved", hl(0x80, report(ifstats(b"eth0"), r1=1)))

# ---- the pipeline: records of ctl, len, then a built request or a raw frame ----
def built(op, payload=b"", sess_idx=None, session=0, arg0=0, arg1=0, flags=0,
          end=True, keep_flags=False, extra=0):
    ctl = 1 | (2 if sess_idx is not None else 0) | (4 if end else 0) | (8 if keep_flags else 0)
    ctl |= extra
    r = bytes([ctl]) + struct.pack("<H", len(payload)) + bytes([op])
    r += bytes([sess_idx]) if sess_idx is not None else struct.pack("<I", session)
    return r + struct.pack("<QQH", arg0, arg1, flags) + payload


def raw(frame, end=True):
    return bytes([4 if end else 0]) + struct.pack("<H", len(frame)) + frame


put("pipeline", "factorial", built(1, hello) + built(3, fn_open(b"factorial"))
    + built(4, sess_idx=0) + built(5, sess_idx=0, arg0=10, arg1=1)
    + built(9, sess_idx=0))
put("pipeline", "crc-set-get", built(1, hello) + built(3, fn_open(b"crc32c", 2))
    + built(4, sess_idx=0) + built(6, b"123456789", sess_idx=0, arg1=1)
    + built(7, sess_idx=0) + built(8, sess_idx=0) + built(2))
put("pipeline", "echo-burst", built(1, hello) + built(3, fn_open(b"echo"))
    + built(4, sess_idx=0) + b"".join(built(5, b"x" * 300, sess_idx=0, arg1=1, end=False)
                                      for _ in range(12)) + built(9, sess_idx=0))
put("pipeline", "quota", built(1, hello) + b"".join(built(3, fn_open(b"fibonacci"))
                                                   for _ in range(6)))
put("pipeline", "before-hello", built(5, session=0x10000) + built(1, b"short"))
put("pipeline", "raw", raw(hl(1, hello)) + raw(hl(1)[:40]) + raw(b"\xff" * 14 + b"ip")
    + raw(hl(3, fn_open(b"factorial"), req=5)))
put("pipeline", "forged", built(1, hello) + built(5, session=0x70001)
    + built(9, session=0x10000) + built(1, hello, flags=1, keep_flags=True))

# Bulk calls: region 1 is the harness's 64 KiB bulk region, region 0 holds
# the S2C ring (a bulk call naming it gets no output room).
NOT_MEMIF, BULK_MODE = 0x10, 0x20


def hb(sel, b, sess_idx=0, end=True):
    """A bulk call whose payload the harness builds: sel, then struct hl_bulk."""
    return built(0x0A, bytes([sel]) + b, sess_idx=sess_idx, end=end, extra=BULK_MODE)


def opened(fn):
    return built(1, hello) + built(3, fn_open(fn)) + built(4, sess_idx=0)


put("pipeline", "bulk-echo", opened(b"echo") + built(0x0A, bulk(), sess_idx=0)
    + built(0x0A, bulk(in_len=0x8000, in_off=0x8000, out_off=0, out_cap=0x8000), sess_idx=0)
    + built(9, sess_idx=0))
put("pipeline", "bulk-crc", opened(b"crc32c")
    + built(0x0A, bulk(in_len=1 << 16, out_off=1 << 16, out_cap=0), sess_idx=0)
    + built(0x0A, bulk(region=0, in_len=8192, out_off=0, out_cap=0), sess_idx=0))
put("pipeline", "bulk-refused", opened(b"echo")
    + built(0x0A, bulk(region=2), sess_idx=0)
    + built(0x0A, bulk(in_off=2**64 - 16), sess_idx=0)
    + built(0x0A, bulk(out_off=0xFFFF0000, out_cap=0x10000), sess_idx=0)
    + built(0x0A, bulk(out_off=2048), sess_idx=0)
    + built(0x0A, bulk(r0=1), sess_idx=0)
    + built(0x0A, bulk(out_cap=(16 << 20) + 1), sess_idx=0)
    + built(0x0A, bulk()[:31], sess_idx=0)
    + built(0x0A, bulk(region=0), sess_idx=0)
    + built(0x0A, bulk(), sess_idx=0, extra=NOT_MEMIF)
    + built(0x0A, bulk(), session=0x70001))
put("pipeline", "bulk-mode", opened(b"echo")
    + hb(1, bulk(in_len=0x1000, in_off=0x100, out_off=0x4000, out_cap=0x1000))
    + hb(1, bulk(in_len=0x1000, in_off=0xF000, out_off=0x10000, out_cap=0x1000))
    + hb(4 | 1, bulk(in_len=0x40, in_off=2**64 - 0x20, out_off=0, out_cap=0x40))
    + hb(8 | 1, bulk(r1=7)) + hb(3, bulk()))
put("pipeline", "bulk-flood", opened(b"echo")
    + b"".join(hb(1, bulk(in_len=0x800, in_off=0, out_off=0x1000 * (i + 1), out_cap=0x800),
                  end=False) for i in range(12)) + built(9, sess_idx=0))
put("pipeline", "bulk-raw", raw(hl(1, hello)) + opened(b"echo")
    + raw(hl(0x0A, bulk(), session=0x10000, req=9)))

# Reports (opcode byte 12 = STATS_REPORT): built ones with a payload the
# harness makes (REPORT_MODE: sel, then per entry a name byte and four u32),
# and whole ones; VF_FLIP turns the guest's vf_role to none (and back).
REPORT_MODE, VF_FLIP = 0x40, 0x80


def hr(sel, entries, end=True, extra=0):
    """A report the harness builds: sel (count = (sel & 15) % 10), then entries of
    (name byte, rxp, txp, rxb, txb)."""
    body = bytes([sel]) + b"".join(bytes([n]) + struct.pack("<IIII", *c) for n, *c in entries)
    return built(12, body, end=end, extra=REPORT_MODE | extra)


put("pipeline", "reports", built(1, hello)
    + hr(2, [(0, 10, 10, 1000, 1000), (1, 5, 5, 500, 500)])
    + hr(2, [(0, 20, 20, 2000, 2000), (1, 6, 6, 600, 600)])
    + hr(2, [(0, 30, 30, 3000, 3000), (1, 7, 7, 700, 700)])
    + built(1, hello) + built(1, hello)
    + hr(2, [(0, 40, 40, 4000, 4000), (1, 8, 8, 800, 800)])
    + hr(1, [(0, 1, 1, 1, 1)]))
put("pipeline", "report-flood", built(1, hello)
    + b"".join(hr(1, [(0, i, i, 64 * i, 64 * i)], end=False) for i in range(20))
    + built(1, hello))
put("pipeline", "report-forged", built(1, hello)
    + hr(1, [(0, 1, 1, 64, 64)]) + built(1, hello) + built(1, hello)
    + hr(1, [(0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)])
    + hr(0, []) + hr(9, [(i, 1, 1, 1, 1) for i in range(9)])
    + hr(2, [(0, 1, 1, 1, 1), (0, 1, 1, 1, 1)])
    + hr(1, [(0xF0, 1, 1, 1, 1)]) + hr(0x21, [(0, 1, 1, 1, 1)])
    + hr(0x11, [(0, 1, 1, 1, 1)])
    + built(12, report(ifstats(b"eth0", 2, 2, 128, 128)))
    + built(12, report(ifstats(b"eth0"))[:40]))
put("pipeline", "report-not-vf", built(1, hello)
    + hr(1, [(0, 1, 1, 64, 64)], extra=VF_FLIP) + hr(1, [(0, 2, 2, 64, 64)], extra=VF_FLIP))

# ---- config files -----------------------------------------------------------------
put("config", "minimal", "[hostlane]\nruntime_dir = /tmp/hl\n\n[guest g0]\nchannel = memif\n")
put("config", "full", open(os.path.join(os.path.dirname(top), "..", "..", "config",
                                        "hostlane.conf")).read())
put("config", "limits", "[hostlane]\nmbufs = 4095\nmax_repetitions = 1000\n\n"
    "[guest evil]\nsecret = evil-secret\nhandler = hostlane\nfunctions = factorial, crc32c\n"
    "max_sessions = 4\nmax_inflight = 8\nmax_regions = 2\nmax_region_size = 1M\n"
    "max_ring_size = 64\nmax_frame = 4096\nmax_chain = 4\nsocket_mode = 0660\n"
    "mac = 52:54:00:12:34:56\n")
put("config", "ethdev-vhost", "[guest a]\nchannel = ethdev\ndevargs = net_null0\n"
    "[guest b]\nchannel = vhost\nsocket = /tmp/b.sock\nvhost_client = yes\n"
    "[port up]\ndevargs = net_null1\n")
put("config", "bad-value", "[guest g]\nmax_frame = 70000\n")
put("config", "bad-size", "[guest g]\nmax_region_size = 99999999999999999999G\n")
put("config", "bad-syntax", "[guest g\nkey\n= x\n")
put("config", "dup-socket", "[guest a]\nsocket = /tmp/x\n[guest b]\nsocket = /tmp/x\n")
put("config", "guest-add", "g9\nchannel=memif\nmax_sessions=8\nsecret=s\n")

# ---- control requests ---------------------------------------------------------------
put("ctl", "version", '{"cmd": "version"}')
put("ctl", "help-one", '{"cmd": "help", "args": {"command": "guest add"}}')
put("ctl", "guest-show", '{"cmd":"guest show","args":{"name":"demo0"}}')
put("ctl", "guest-add", '{"cmd":"guest add","args":{"name":"g9","channel":"memif",'
    '"max_sessions":8,"max_region_size":"64M","secret":"s3"}}')
put("ctl", "log-level", '{"cmd":"log level","args":{"type":"lib.eal","level":"err"}}')
put("ctl", "log-level-global", '{"cmd":"log level","args":{"level":"4"}}')
put("ctl", "bad-json", '{"cmd": "version"')
put("ctl", "unknown", '{"cmd":"reboot"}')
put("ctl", "extra-key", '{"cmd":"stats","args":{},"x":1}')
put("ctl", "wrong-type", '{"cmd":"guest add","args":{"name":"g","max_sessions":"x"}}')
put("ctl", "dup-key", '{"cmd":"version","cmd":"help"}')
put("ctl", "cli-words", "guest show demo0 extra")

# ---- compress jobs: u8 mode (bit 0 inflate, bit 1 staged), u32 room, input --
def cz(mode, room, data):
    return struct.pack("<BI", mode, room) + data


_text = b"hostlane memif ring guest deflate " * 200
_z = zlib.compressobj(6, zlib.DEFLATED, -15)
_stream = _z.compress(_text) + _z.flush()
_z = zlib.compressobj(1, zlib.DEFLATED, -15)
_synced = _z.compress(_text[:3000]) + _z.flush(zlib.Z_SYNC_FLUSH)
put("compress", "deflate-text", cz(0, 8192, _text))
put("compress", "deflate-staged", cz(2, 8192, _text[:1000]))
put("compress", "inflate-text", cz(1, 8192, _stream))
put("compress", "inflate-staged", cz(3, 8192, _stream))
put("compress", "inflate-small-room", cz(1, 100, _stream))
# The stream that once hung compress_isal: a stored block without BFINAL,
# with a room above 32 KiB (two output segments).
put("compress", "inflate-no-final", cz(1, 40000,
    bytes([0x00, 0x05, 0x00, 0xfa, 0xff]) + b"hello"))
put("compress", "inflate-synced", cz(1, 40000, _synced))
put("compress", "inflate-truncated", cz(1, 40000, _stream[:len(_stream) // 2]))
put("compress", "inflate-empty-final", cz(1, 16, bytes([0x03, 0x00])))


# ---- socket requests (fuzz_sock.c): op, sel, session, arg0, arg1, payload ---
def sock(op, sel, session, arg0, arg1, payload=b""):
    return struct.pack("<BBIQQ", op - 0x40, sel, session, arg0, arg1) + payload


def sa4(port, ip=(127, 0, 0, 1)):
    sa = struct.pack("<H", 2) + struct.pack(">H", port) + bytes(ip)
    return struct.pack("<HH", 16, 0) + sa + b"\0" * (28 - len(sa))


put("sock", "socket-stream", sock(0x40, 1, 0, 2, 1))
put("sock", "bind", sock(0x41, 0, 0x10000, 0, 0, sa4(40000)))
put("sock", "connect-wait", sock(0x44, 0, 0x10000, 1000 << 32, 0, sa4(80)))
put("sock", "sendto", sock(0x45, 0, 0x10000, 0, 1 << 32, sa4(53) + b"hello"))
put("sock", "recv-addr", sock(0x46, 0, 0x10000, 0x100, (1 << 32) | 100))
put("sock", "send-bulk", sock(0x47, 0, 0x10000, 0, 0,
                              struct.pack("<HHIQ", 1, 0, 4096, 0) + b"\0" * 32 + b"\0" * 8))
put("sock", "setopt", sock(0x4B, 0, 0x10000, 6, 1, struct.pack("<I", 1)))
put("sock", "events", sock(0x4E, 1, 0, 0xffffffff << 32, 0))
