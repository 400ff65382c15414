#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turn one of hostlane's docs/*.md pages into a man page (roff, man macros).

The docs are the one source: the man pages are built from them, so a key,
option or command documented once shows up in both. Only the markdown the
docs use is understood: headings, paragraphs, '-' and 'N.' lists (nested by
indentation), fenced and indented code blocks, pipe tables, `code`,
**bold**, *italic*, [links](#anchor). Anything else passes through as text.

The page's H1 is replaced by NAME; the text before the first H2 becomes
DESCRIPTION; H2 is .SH, deeper headings .SS. A table row becomes a tagged
paragraph: its first cell the tag, the other cells below it, labelled with
their column's header (the last column unlabelled when it is the row's
description: 'meaning', 'what', ...).

A page may be one H2 section of a docs page (--only HEADING): its text
becomes the page's DESCRIPTION.

Usage: md2man.py --name NAME --section N --whatis TEXT [--only HEADING]
                 [--see-also PAGE(N)]... [--version V] IN.md OUT
"""
import argparse
import datetime
import os
import re
import sys

# Characters the docs use, as escapes every groff output device knows.
GLYPHS = {
    '\u2014': r'\(em', '\u2013': r'\(en', '\u2026': '.\\|.\\|.',
    '\u2192': r'\(->', '\u2190': r'\(<-', '\u2194': r'\(<>',
    '\u2264': r'\(<=', '\u2265': r'\(>=', '\u00d7': r'\(mu',
    '\u00b5': r'\(mc', '\u2212': r'\-', '\u00b7': r'\(pc',
    '\u2260': r'\(!=', '\u00b1': r'\(+-', '\u2018': r'\(oq',
    '\u2019': r'\(cq', '\u201c': r'\(lq', '\u201d': r'\(rq',
}

# A last table column with one of these headers is the row's description.
DESCRIPTION_HEADERS = {'meaning', 'what', 'role', 'when', 'returns',
                       'description', 'where'}

ITEM_RE = re.compile(r'^( *)([-*]|\d+\.) +(.*)$')
HEADING_RE = re.compile(r'^(#{1,6}) +(.*?) *#*$')
FENCE_RE = re.compile(r'^ *```')


def glyphs(s):
    out = []
    for ch in s:
        if ord(ch) < 128:
            out.append(ch)
        elif ch in GLYPHS:
            out.append(GLYPHS[ch])
        else:
            out.append('\\[u%04X]' % ord(ch))
    return ''.join(out)


def escape(s):
    """Literal text: roff's escape character, then the glyphs."""
    return glyphs(s.replace('\\', '\\e'))


def literal(s):
    """Code: also hyphens as minus signs, so options copy and paste."""
    return escape(s).replace('-', '\\-')


def inline(s):
    """Inline markdown of one joined paragraph, table cell or heading."""
    out = []
    pos = 0
    for m in re.finditer(r'(`+)(.+?)\1', s):
        out.append(prose(s[pos:m.start()]))
        out.append('\\fB' + literal(m.group(2).strip()) + '\\fR')
        pos = m.end()
    out.append(prose(s[pos:]))
    return ''.join(out)


def prose(s):
    s = re.sub(r'\[([^\]]+)\]\(#[^)]*\)', r'\1', s)
    s = re.sub(r'\[([^\]]+)\]\(([^)]+)\)', r'\1 <\2>', s)
    s = re.sub(r'\\([\\`*_|\[\]#<>])', lambda m: '\0%d\0' % ord(m.group(1)), s)
    s = escape(s)
    s = re.sub(r'\*\*(.+?)\*\*', r'\\fB\1\\fR', s)
    s = re.sub(r'(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])',
               r'\\fI\1\\fR', s)
    return re.sub('\0(\\d+)\0',
                  lambda m: escape(chr(int(m.group(1)))), s)


def fill(text):
    """A filled paragraph as roff lines: wrapped, no line read as a request."""
    lines, cur = [], ''
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > 72:
            lines.append(cur)
            cur = word
        else:
            cur = cur + ' ' + word if cur else word
    if cur:
        lines.append(cur)
    return [('\\&' + l) if l[0] in ".'" else l for l in lines]


def code_lines(lines):
    out = ['.RS 4', '.nf']
    for l in lines:
        l = literal(l.expandtabs(8).rstrip())
        out.append(('\\&' + l) if l[:1] in (".", "'") else l)
    return out + ['.fi', '.RE']


def split_row(line):
    line = line.strip()
    if line.startswith('|'):
        line = line[1:]
    if line.endswith('|') and not line.endswith('\\|'):
        line = line[:-1]
    cells = re.split(r'(?<!\\)\|', line)
    return [c.strip().replace('\\|', '|') for c in cells]


def table(rows):
    head = split_row(rows[0])
    body = [split_row(r) for r in rows[2:]]
    last_plain = head[-1].lower() in DESCRIPTION_HEADERS or len(head) == 2
    out = []
    for cells in body:
        cells += [''] * (len(head) - len(cells))
        out += ['.TP'] + fill(inline(cells[0]) or '\\&')
        first = True
        for j in range(1, len(head)):
            if not cells[j]:
                continue
            text = inline(cells[j])
            if head[j] and not (j == len(head) - 1 and last_plain):
                label = head[j].strip('`').rstrip(':')
                text = '\\fI' + escape(label) + ':\\fR ' + text
            if not first:
                out.append('.br')
            out += fill(text)
            first = False
    return out


class Converter:
    def __init__(self, lines):
        self.lines = lines
        self.i = 0
        self.out = []
        self.lists = []          # open list items: (content indent, nested, width)
        self.para = []           # text of the paragraph being gathered
        self.blank = True        # a blank line since the last block
        self.title = None

    def flush(self):
        if self.para:
            if self.blank:
                self.out.append(self.paragraph_macro())
            self.out += fill(inline(' '.join(self.para)))
            self.para = []

    def paragraph_macro(self):
        """A new paragraph: at the margin, or inside the open list item."""
        if not self.lists:
            return '.PP'
        return '.IP "" %d' % self.lists[-1][2]

    def close_lists(self, indent):
        """Close list items whose content indent is deeper than indent."""
        while self.lists and indent < self.lists[-1][0]:
            self.flush()
            nested = self.lists.pop()[1]
            if nested:
                self.out.append('.RE')

    def run(self):
        while self.i < len(self.lines):
            self.step(self.lines[self.i])
        self.flush()
        self.close_lists(0)
        return self.out

    def step(self, line):
        self.i += 1
        if not line.strip():
            self.flush()
            self.blank = True
            return
        indent = len(line) - len(line.lstrip(' '))
        if self.lists and self.blank and indent < self.lists[-1][0] \
                and not ITEM_RE.match(line):
            self.close_lists(indent)
        if FENCE_RE.match(line):
            self.fenced(indent)
        elif indent >= 4 + (self.lists[-1][0] if self.lists else 0) \
                and self.blank and not self.para:
            self.indented(indent)
        elif HEADING_RE.match(line) and indent == 0:
            self.heading(HEADING_RE.match(line))
        elif line.lstrip().startswith('|') and not self.para:
            self.pipe_table(line)
        elif ITEM_RE.match(line):
            self.item(ITEM_RE.match(line))
        else:
            self.para.append(line.strip())
            return
        self.blank = False

    def fenced(self, indent):
        self.flush()
        body = []
        while self.i < len(self.lines) and not FENCE_RE.match(self.lines[self.i]):
            body.append(self.lines[self.i][indent:])
            self.i += 1
        self.i += 1
        self.out.append(self.paragraph_macro() if self.blank else '.sp')
        self.out += code_lines(body)

    def indented(self, indent):
        self.flush()
        body = [self.lines[self.i - 1][indent:]]
        while self.i < len(self.lines):
            l = self.lines[self.i]
            if l.strip() and len(l) - len(l.lstrip(' ')) < indent:
                break
            body.append(l[indent:])
            self.i += 1
        while body and not body[-1].strip():
            body.pop()
        self.out.append(self.paragraph_macro())
        self.out += code_lines(body)

    def heading(self, m):
        self.flush()
        self.close_lists(0)
        level, text = len(m.group(1)), m.group(2)
        if level == 1:
            self.title = text
            return
        self.out.append(('.SH ' if level == 2 else '.SS ') + inline(text))
        self.blank = False

    def pipe_table(self, line):
        self.flush()
        rows = [line]
        while self.i < len(self.lines) and \
                self.lines[self.i].lstrip().startswith('|'):
            rows.append(self.lines[self.i])
            self.i += 1
        if len(rows) < 2 or not re.match(r'^[\s|:-]+$', rows[1]):
            self.para += [r.strip() for r in rows]
            return
        if not self.lists:
            self.out.append('.PP')
        self.out += table(rows)
        if self.lists:
            self.out.append('.PP')

    def item(self, m):
        self.flush()
        indent, marker, text = len(m.group(1)), m.group(2), m.group(3)
        self.close_lists(indent + 1)
        nested = bool(self.lists)
        if self.lists and self.lists[-1][0] <= indent:
            self.out.append('.RS')
        else:
            nested = False
        tag, width = ('\\(bu', 2) if marker in '-*' else (marker, 4)
        self.out.append('.IP %s %d' % (tag, width))
        self.lists.append((indent + len(marker) + 1, nested, width))
        # The item's text is a paragraph whose macro is the .IP above.
        self.para = [text]


def only_section(text, heading):
    """The body of '## heading', up to the next H2."""
    lines = text.splitlines()
    start = lines.index('## ' + heading) + 1
    end = next((i for i in range(start, len(lines))
                if lines[i].startswith('## ')), len(lines))
    return '\n'.join(lines[start:end])


def convert(args, text):
    if args.only:
        text = only_section(text, args.only)
    c = Converter(text.splitlines())
    c.blank = False
    body = c.run()
    # The first block before an .SH is the description.
    if not body or not body[0].startswith('.SH'):
        body = ['.SH DESCRIPTION'] + [l for l in body[:1] if l != '.PP'] + \
            body[1:]
    date = ''
    if 'SOURCE_DATE_EPOCH' in os.environ:
        date = datetime.datetime.fromtimestamp(
            int(os.environ['SOURCE_DATE_EPOCH']),
            datetime.timezone.utc).strftime('%Y-%m-%d')
    head = [
        '.\\" Generated by docs/md2man.py from %s; edit that file instead.'
        % os.path.basename(args.input),
        '.TH %s %s "%s" "hostlane %s" "hostlane manual"'
        % (escape(args.name.upper()), args.section, date, args.version),
        '.SH NAME',
        '%s \\- %s' % (literal(args.name), escape(args.whatis)),
    ]
    tail = []
    if args.see_also:
        tail = ['.SH SEE ALSO'] + fill(', '.join(
            '\\fB%s\\fR(%s)' % (literal(p.split('(')[0]), p.split('(')[1][:-1])
            for p in args.see_also) + '.')
        tail += ['.PP'] + fill('The full documentation, of which this page '
                                'is one part, is in ' +
                                '\\fI/usr/share/doc/hostlane/docs/\\fR.')
    return '\n'.join(head + body + tail) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--name', required=True)
    ap.add_argument('--section', required=True)
    ap.add_argument('--whatis', required=True)
    ap.add_argument('--version', default='')
    ap.add_argument('--see-also', action='append', default=[])
    ap.add_argument('--only', help='one H2 section of the page')
    ap.add_argument('input')
    ap.add_argument('output')
    args = ap.parse_args()
    with open(args.input, encoding='utf-8') as f:
        text = f.read()
    page = convert(args, text)
    with open(args.output, 'w', encoding='ascii') as f:
        f.write(page)
    return 0


if __name__ == '__main__':
    sys.exit(main())
