#!/usr/bin/env python3
"""xml-to-c.py INPUT OUTPUT NAME: writes a C header defining
`static const char NAME[]` holding INPUT's text, with the XML comments
(the documentation) left out to keep the daemon small."""

import re
import sys

src, out, name = sys.argv[1:4]
with open(src, encoding='utf-8') as f:
    text = f.read()
text = re.sub(r'<!--.*?-->', '', text, flags=re.S)
text = re.sub(r'<!DOCTYPE[^>]*>', '', text, flags=re.S)
text = '\n'.join(line for line in text.splitlines() if line.strip())
with open(out, 'w', encoding='utf-8') as f:
    f.write('/* Generated from %s by xml-to-c.py; do not edit. */\n' % src.split('/')[-1])
    f.write('static const char %s[] =\n' % name)
    for line in text.splitlines():
        f.write('  "%s\\n"\n' % line.replace('\\', '\\\\').replace('"', '\\"'))
    f.write(';\n')
