#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The man pages against the code they document, and as man renders them.

- Every page renders without a warning (man --warnings, as lintian runs it).
- hostlane.conf(5): every section and key the config parser accepts is in
  the page, and every key the page (docs/config.md) lists is accepted. The
  parser is asked, not read: hostlane --check-config on a file with one
  key, for each string literal of the files that parse the config.
- hostlane(8): every option of `hostlane --help`.
- hostlanectl(8): every command of `hostlanectl --help`.
- libhostlane(3): every function libhostlane.map exports.
- hostlane-agent(8): every option of `hostlane-agent --help`.

Usage: test_man.py SRC_DIR MAN_DIR HOSTLANE HOSTLANECTL HOSTLANE_AGENT
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC, MAN, HOSTLANE, HOSTLANECTL, AGENT = sys.argv[1:6]
PAGES = ['hostlane.8', 'hostlanectl.8', 'hostlane.conf.5', 'libhostlane.3',
         'hostlane-agent.8']
failures = []


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg)


def page(name):
    with open(os.path.join(MAN, name), encoding='ascii') as f:
        return f.read()


def roff(s):
    """How md2man.py writes a literal: hyphens as minus signs."""
    return s.replace('\\', '\\e').replace('-', '\\-')


def check_render():
    if shutil.which('man') is None:
        print('SKIP: man is not installed (package man-db)')
        sys.exit(77)
    env = dict(os.environ, LC_ALL='C.UTF-8', MANWIDTH='80')
    for p in PAGES:
        r = subprocess.run(['man', '--warnings', '-E', 'UTF-8', '-l',
                            '-Tutf8', '-Z', os.path.join(MAN, p)],
                           env=env, capture_output=True, text=True)
        if r.returncode != 0 or r.stderr.strip():
            fail('%s: man reports: %s' % (p, r.stderr.strip() or r.returncode))
        else:
            print('ok: %s renders without warnings' % p)


def documented_keys():
    """{'[guest NAME]': {'channel', ...}, ...} from docs/config.md's tables."""
    keys, section, in_keys = {}, None, False
    with open(os.path.join(SRC, 'docs', 'config.md'), encoding='utf-8') as f:
        for line in f:
            m = re.match(r'^## (\[[a-z]+(?: NAME)?\])\s*$', line)
            if m:
                section = m.group(1)
                keys[section] = set()
                continue
            if line.startswith('## '):
                section = None
            if section is None or not line.startswith('|'):
                in_keys = False
                continue
            first = line.split('|')[1].strip()
            if first == 'key':
                in_keys = True
            elif in_keys and first.startswith('`'):
                keys[section].add(first.strip('`'))
    return keys


def check_config(tmp):
    text = page('hostlane.conf.5')
    docs = documented_keys()

    def run(conf):
        path = os.path.join(tmp, 'probe.conf')
        with open(path, 'w') as f:
            f.write(conf)
        r = subprocess.run([HOSTLANE, '--', '--config', path,
                            '--check-config'],
                           capture_output=True, text=True, timeout=60)
        return r.stdout + r.stderr

    out = run('[no_such_section]\n')
    m = re.search(r'unknown section \(known: (.*)\)', out)
    if not m:
        fail('the parser did not name its sections: %s' % out.strip())
        return
    known = re.findall(r'\[[a-z]+(?: NAME)?\]', m.group(1))
    for s in known:
        if s not in docs:
            fail('section %s is parsed but not in docs/config.md' % s)
        if '.SH ' + s not in text:
            fail('section %s is parsed but not in hostlane.conf(5)' % s)

    def accepted(section, key):
        header = section.replace('NAME', 'probe0')
        out = run('%s\n%s = 1\n' % (header, key))
        return not re.search(r'\] %s: unknown key' % re.escape(key), out)

    for s in known:
        if accepted(s, 'no_such_key'):
            fail('%s: the probe does not tell an unknown key' % s)
            return
    for s, ks in docs.items():
        for k in sorted(ks):
            if s in known and not accepted(s, k):
                fail('%s %s is documented but the parser refuses it' % (s, k))
            if not re.search(r'^\.TP\n\\fB%s\\fR$' % re.escape(roff(k)),
                             text, re.M):
                fail('%s %s is in docs/config.md but not in hostlane.conf(5)'
                     % (s, k))
    literals = set()
    for src in parser_sources():
        with open(src, encoding='utf-8') as f:
            literals |= set(re.findall(r'"([a-z][a-z0-9_]+)"', f.read()))
    n = 0
    for s in known:
        for k in sorted(literals - docs.get(s, set())):
            n += 1
            if accepted(s, k):
                fail('%s %s is accepted by the parser but not documented '
                     '(docs/config.md, hostlane.conf(5))' % (s, k))
    print('ok: %d documented keys accepted; %d other words of the parser '
          'are no keys' % (sum(len(v) for v in docs.values()), n))


def parser_sources():
    """The C files that answer 'unknown key': the config parser."""
    found = []
    for src in glob.glob(os.path.join(SRC, 'dataplane', '**', '*.c'),
                         recursive=True) + \
            glob.glob(os.path.join(SRC, 'control', '**', '*.c'),
                      recursive=True):
        with open(src, encoding='utf-8', errors='replace') as f:
            if 'unknown key' in f.read():
                found.append(src)
    return found


def check_options(prog, name, man):
    text = page(man)
    out = subprocess.run([prog, '--help'], capture_output=True,
                         text=True, timeout=60).stdout
    opts = set(re.findall(r'(?<![\w-])(--[a-z][a-z-]+)', out))
    if not opts:
        fail('%s --help lists no options' % name)
    for o in sorted(opts):
        if roff(o) not in text:
            fail('%s lacks option %s of %s --help' % (man, o, name))
    print('ok: %s has the %d options of %s --help' % (man, len(opts), name))


def check_hostlanectl():
    text = page('hostlanectl.8')
    out = subprocess.run([HOSTLANECTL, '--help'], capture_output=True,
                         text=True, timeout=60).stdout
    cmds = []
    for line in out.splitlines():
        m = re.match(r'^  ([a-z][a-z ]*?)(?: [A-Z\[]\S*.*?)?  +\S', line)
        if m and not line.lstrip().startswith('-'):
            cmds.append(m.group(1).strip())
    opts = set(re.findall(r'(?<![\w-])(--[a-z][a-z-]+)', out))
    if len(cmds) < 5:
        fail('hostlanectl --help lists %d commands: %r' % (len(cmds), out))
    for c in cmds:
        if not re.search(r'\\fB%s(\\fR| )' % re.escape(roff(c)), text):
            fail('hostlanectl(8) lacks command "%s" of hostlanectl --help' % c)
    for o in sorted(opts):
        if roff(o) not in text:
            fail('hostlanectl(8) lacks option %s of hostlanectl --help' % o)
    print('ok: hostlanectl(8) has the %d commands and %d options of '
          'hostlanectl --help' % (len(cmds), len(opts)))


def check_libhostlane():
    text = page('libhostlane.3')
    with open(os.path.join(SRC, 'guestlib', 'libhostlane.map')) as f:
        syms = re.findall(r'^\s*(hl_\w+);', f.read(), re.M)
    if not syms:
        fail('libhostlane.map exports nothing')
    for s in syms:
        if roff(s) not in text:
            fail('libhostlane(3) lacks %s, exported by libhostlane.map' % s)
    print('ok: libhostlane(3) names the %d exported functions' % len(syms))


def main():
    check_render()
    with tempfile.TemporaryDirectory() as tmp:
        check_config(tmp)
    check_options(HOSTLANE, 'hostlane', 'hostlane.8')
    check_options(AGENT, 'hostlane-agent', 'hostlane-agent.8')
    check_hostlanectl()
    check_libhostlane()
    if failures:
        print('%d problem(s)' % len(failures))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
