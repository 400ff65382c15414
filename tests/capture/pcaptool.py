#!/usr/bin/env python3
"""pcap and pcapng files for the capture tests: write the frames a test
sends, read back what hostlane (or dpdk-dumpcap) wrote, compare them.

  pcaptool.py gen FILE N TAG        N distinct frames (60..1514 bytes), source MAC
                                    02:00:00:00:TAG:i, in a classic pcap
  pcaptool.py check CAPTURE SPEC... assert facts about a pcapng capture
      sent=PCAP       IN frames == PCAP's frames, in order, byte for byte;
                      OUT frames likewise (an echo guest)
      only=PCAP       every frame of the capture is one of PCAP's
      in=N / out=N    that many frames of each direction
      frames=N        that many frames in all
      snaplen=N       each frame cut to N bytes, original length kept
      from=PCAP       (with snaplen) each cut frame is the start of PCAP's
      if_name=NAME    the interface block's name
      dirs=no         frames carry no direction (dpdk-dumpcap)
      isb=yes         ends with an interface statistics block
  pcaptool.py count CAPTURE         print the number of frames
Exit 0 when every fact holds; 1 with the first that does not.
"""
import struct
import sys


def pcap_write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1, i, len(fr), len(fr)))
            f.write(fr)


def pcap_read(path):
    data = open(path, "rb").read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic == 0x0A0D0D0A:
        return [fr for fr, _, _ in pcapng_read(path)["frames"]]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "not a pcap file: %s" % path
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def options(data, off, end):
    """TLV options from off to end: {code: [value, ...]}."""
    opts = {}
    while off + 4 <= end:
        code, ln = struct.unpack_from("<HH", data, off)
        if code == 0:
            break
        opts.setdefault(code, []).append(data[off + 4:off + 4 + ln])
        off += 4 + ((ln + 3) & ~3)
    return opts


def pcapng_read(path):
    """{if_name, snaplen, tsresol, frames: [(bytes, orig_len, dir)], isb}."""
    data = open(path, "rb").read()
    off, r = 0, {"frames": [], "isb": None, "if_name": None}
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        assert blen >= 12 and off + blen <= len(data), "truncated block at %d" % off
        trail = struct.unpack_from("<I", data, off + blen - 4)[0]
        assert trail == blen, "block at %d: trailing length %d != %d" % (off, trail, blen)
        body = off + 8
        if btype == 0x0A0D0D0A:
            assert struct.unpack_from("<I", data, body)[0] == 0x1A2B3C4D, "byte order"
        elif btype == 1:
            link, _, snap = struct.unpack_from("<HHI", data, body)
            assert link == 1, "linktype %d" % link
            o = options(data, body + 8, off + blen - 4)
            r["snaplen"] = snap
            r["if_name"] = o[2][0].decode() if 2 in o else None
            r["tsresol"] = o[9][0][0] if 9 in o else 6
        elif btype == 6:
            ifid, _, _, cap, orig = struct.unpack_from("<IIIII", data, body)
            assert ifid == 0, "interface %d" % ifid
            frame = data[body + 20:body + 20 + cap]
            o = options(data, body + 20 + ((cap + 3) & ~3), off + blen - 4)
            flags = struct.unpack("<I", o[2][0])[0] if 2 in o else 0
            r["frames"].append((frame, orig, flags & 3))
        elif btype == 5:
            o = options(data, body + 12, off + blen - 4)
            r["isb"] = {k: struct.unpack("<Q", v[0])[0] for k, v in o.items()
                        if len(v[0]) == 8 and k in (4, 5)}
        off += blen
    assert off == len(data), "%d stray bytes at the end" % (len(data) - off)
    return r


def gen(path, n, tag):
    frames = []
    for i in range(n):
        size = 60 + (i * 97) % 1455
        hdr = bytes.fromhex("02aa00000001") + bytes([2, 0, 0, 0, tag, i & 0xFF])
        body = bytes(((i * 7 + k) & 0xFF) for k in range(size - 14))
        frames.append(hdr + bytes.fromhex("88b6") + body)
    pcap_write(path, frames)


def fail(msg):
    print("pcaptool: " + msg)
    sys.exit(1)


def check(path, specs):
    r = pcapng_read(path)
    got = r["frames"]
    ins = [f for f, _, d in got if d == 1]
    outs = [f for f, _, d in got if d == 2]
    for spec in specs:
        key, val = spec.split("=", 1)
        if key == "sent":
            want = pcap_read(val)
            if ins != want:
                fail("IN frames (%d) differ from the %d sent" % (len(ins), len(want)))
            if outs != want:
                fail("OUT frames (%d) differ from the %d sent" % (len(outs), len(want)))
        elif key == "only":
            allowed = set(pcap_read(val))
            stray = [f for f, _, _ in got if f not in allowed]
            if stray:
                fail("%d frames not from %s (first src %s)" % (len(stray), val, stray[0][6:12].hex()))
        elif key in ("in", "out"):
            n = len(ins if key == "in" else outs)
            if n != int(val):
                fail("%d %s frames, not %s" % (n, key, val))
        elif key == "frames":
            if len(got) != int(val):
                fail("%d frames, not %s" % (len(got), val))
        elif key == "snaplen":
            s = int(val)
            full = {f[:14]: f for f in pcap_read(specs_sent(specs))} if specs_sent(specs) else {}
            for f, orig, _ in got:
                if len(f) != min(s, orig):
                    fail("a frame of %d bytes was kept as %d, snaplen %d" % (orig, len(f), s))
                if full and full.get(f[:14], b"")[:s] != f:
                    fail("a cut frame is not the prefix of the frame sent")
        elif key == "if_name":
            if r["if_name"] != val:
                fail("interface name %r, not %r" % (r["if_name"], val))
        elif key == "dirs":
            if any(d != 0 for _, _, d in got):
                fail("frames with a direction")
        elif key == "isb":
            if r["isb"] is None:
                fail("no interface statistics block")
        elif key == "from":
            pass
        else:
            fail("unknown fact " + key)


def specs_sent(specs):
    for s in specs:
        if s.startswith("from="):
            return s[5:]
    return None


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "check":
        try:
            check(sys.argv[2], sys.argv[3:])
        except AssertionError as e:
            fail("%s: %s" % (sys.argv[2], e))
    elif len(sys.argv) == 3 and sys.argv[1] == "count":
        print(len(pcapng_read(sys.argv[2])["frames"]))
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
