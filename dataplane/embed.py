#!/usr/bin/env python3
"""Turn a text file into a C string definition: embed.py IN OUT SYMBOL."""
import sys

src, dst, sym = sys.argv[1:4]
data = open(src, 'rb').read()
with open(dst, 'w') as out:
    out.write('/* Generated from %s by embed.py; do not edit. */\n' % src.split('/')[-1])
    out.write('const char %s[] = {\n' % sym)
    for i in range(0, len(data), 16):
        out.write('\t' + ' '.join('0x%02x,' % b for b in data[i:i + 16]) + '\n')
    out.write('\t0x00\n};\n')
