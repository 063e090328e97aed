/**
 * Bytes to text as Python reads a source file: a PEP 263 coding cookie on line
 * 1 or 2 and a UTF-8 BOM are honoured, so findings after non-ASCII text land on
 * the right column; bytes that cannot be decoded give one `decode-error`
 * message naming the line; files with NUL bytes (binary files) are skipped
 * with a note. Through the built binary, and stdin, which is decoded exactly
 * like a file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { decodeSource, codingCookie } from '../../src/python/decode.js';
import { check, findings, makeProject, removeProject, reportedJson, repoRoot, HAZARD_HEAD } from './helpers.js';

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** `x = "éé"; fut.result()`: HANG001's column counts each é once, however it was encoded. */
const WAIT_AFTER_ACCENTS = 'x = "\u00e9\u00e9"; fut.result()\n';
const WAIT_COLUMN = 14;

describe('encodings', () => {
  it('a latin-1 coding cookie on line 1: the finding after é has the right column', (t) => {
    const root = makeProject({ 'latin.py': latin1(`# -*- coding: latin-1 -*-\n${HAZARD_HEAD}${WAIT_AFTER_ACCENTS}`) });
    t.after(() => removeProject(root));
    const result = check(['--format', 'json'], root);
    const reported = reportedJson(result.stdout, root);
    assert.deepEqual(
      reported.map((r) => `${r.file}:${r.line}:${r.column} ${r.code}`),
      [`latin.py:8:${WAIT_COLUMN} HANG001`],
    );
  });

  it('a cookie on line 2, after a shebang, counts too (iso-8859-15 spelled as Emacs does)', (t) => {
    const root = makeProject({
      'latin.py': latin1(`#!/usr/bin/env python3\n# vim: set fileencoding=iso-8859-15 :\n${HAZARD_HEAD}${WAIT_AFTER_ACCENTS}`),
    });
    t.after(() => removeProject(root));
    const result = check(['--format', 'compact'], root);
    assert.match(result.stdout, new RegExp(`^latin\\.py:9:${WAIT_COLUMN}: HANG001 `));
  });

  it('a cookie on line 3 is not one: the latin-1 bytes are not UTF-8, one decode-error names the line', (t) => {
    const root = makeProject({ 'late.py': latin1(`import asyncio\n\n# coding: latin-1\nx = "\u00e9"\n`) });
    t.after(() => removeProject(root));
    const result = check(['--format', 'json'], root);
    const reported = reportedJson(result.stdout, root);
    assert.equal(reported.length, 1);
    assert.equal(reported[0]!.code, 'decode-error');
    assert.match(reported[0]!.message, /not valid UTF-8 \(byte 0xe9 on line 4\)/);
    assert.equal(result.status, 0, 'a warning by default');
  });

  it('a UTF-8 BOM is honoured and not counted as a column', (t) => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const body = utf8(`${HAZARD_HEAD}fut.result()\n`);
    const root = makeProject({ 'bom.py': new Uint8Array([...bom, ...body]) });
    t.after(() => removeProject(root));
    assert.deepEqual(findings(check(['--format', 'compact'], root).stdout), ['bom.py:7 HANG001']);
    const first = reportedJson(check(['--format', 'json'], root).stdout, root)[0]!;
    assert.equal(first.column, 4);
  });

  it('a BOM with a cookie naming another encoding is refused, as Python refuses it', (t) => {
    const root = makeProject({ 'both.py': new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('# coding: latin-1\nimport asyncio\n')]) });
    t.after(() => removeProject(root));
    const reported = reportedJson(check(['--format', 'json'], root).stdout, root);
    assert.deepEqual(reported.map((r) => r.code), ['decode-error']);
    assert.match(reported[0]!.message, /byte order mark.*latin-1/);
  });

  it('an unknown codec in the cookie is named', (t) => {
    const root = makeProject({ 'codec.py': utf8('# coding: klingon-8\nimport asyncio\n') });
    t.after(() => removeProject(root));
    const reported = reportedJson(check(['--format', 'json'], root).stdout, root);
    assert.deepEqual(reported.map((r) => `${r.code} ${r.message}`), ["decode-error Unknown encoding 'klingon-8' in the coding cookie"]);
  });

  it('invalid UTF-8 in one file gives one decode-error naming the file and line; the other files are checked', (t) => {
    const root = makeProject({
      'a_bad.py': new Uint8Array([...utf8('import asyncio\nx = 1\ny = "'), 0xff, 0xfe, ...utf8('"\nz = "'), 0xc3, ...utf8('"\n')]),
      'b_hazard.py': `${HAZARD_HEAD}fut.result()\n`,
    });
    t.after(() => removeProject(root));
    const result = check(['--format', 'compact'], root);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 2, result.stdout);
    assert.match(lines[0]!, /^a_bad\.py:1:1: decode-error File is not valid UTF-8 \(byte 0xff on line 3\)/);
    assert.match(lines[1]!, /^b_hazard\.py:7:4: HANG001 /);
    assert.equal(result.status, 1, 'exit 1 from the HANG001; the decode-error is a warning');
  });

  it('decode-error can be made an error', (t) => {
    const root = makeProject({
      'pyproject.toml': '[tool.pyhang.severity]\ndecode-error = "error"\n',
      'bad.py': new Uint8Array([...utf8('import asyncio\n'), 0xff]),
    });
    t.after(() => removeProject(root));
    assert.equal(check(['--format', 'compact'], root).status, 1);
  });

  it('a binary file or one with NUL bytes is skipped with a note, not parsed', (t) => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52);
    const root = makeProject({
      'image.py': png,
      'nul.py': utf8(`${HAZARD_HEAD}fut.result()\n\u0000\n`),
    });
    t.after(() => removeProject(root));
    const result = check(['--format', 'json'], root);
    const reported = reportedJson(result.stdout, root);
    assert.deepEqual(
      reported.map((r) => `${r.file} ${r.code}`),
      ['image.py decode-error', 'nul.py decode-error'],
      'the hazard in nul.py is not reported: the file is not treated as source',
    );
    for (const r of reported) assert.match(r.message, /NUL bytes.*binary/);
    assert.equal(result.status, 0);
  });

  it('stdin is decoded like a file: cookie and BOM', () => {
    const input = latin1(`# coding: latin-1\n${HAZARD_HEAD}${WAIT_AFTER_ACCENTS}`);
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'pyhang.js'), 'check', '--format', 'compact', '--stdin-filename', 'from_stdin.py'], {
      cwd: repoRoot,
      input,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.match(result.stdout, new RegExp(`^from_stdin\\.py:8:${WAIT_COLUMN}: HANG001 `));
  });

  it('decodeSource: PEP 263 details', () => {
    assert.equal(codingCookie(utf8('# -*- coding: latin-1 -*-\n')), 'latin-1');
    assert.equal(codingCookie(utf8('#!/bin/python\n# coding=cp1252\n')), 'cp1252');
    assert.equal(codingCookie(utf8('x = 1\n# coding: latin-1\n')), null, 'line 2 counts only after a comment or blank line 1');
    assert.equal(codingCookie(utf8('\n\n# coding: latin-1\n')), null, 'line 3 never counts');
    assert.equal(codingCookie(utf8('#!/bin/python\r# coding: latin-1\r')), 'latin-1', 'a lone CR ends line 1');
    const cp1252 = decodeSource(Uint8Array.of(...utf8('# coding: cp1252\nx = "'), 0x80, 0x22, 0x0a));
    assert.ok('text' in cp1252);
    assert.equal(cp1252.text.split('\n')[1], 'x = "\u20ac"', '0x80 is the euro sign in cp1252');
    assert.deepEqual(decodeSource(Uint8Array.of(...utf8('# coding: cp1252\nx = "'), 0x81, 0x22)), {
      error: "File cannot be decoded as 'cp1252', the encoding its coding cookie declares (byte 0x81 on line 2)",
    }, 'Python leaves 0x81 undefined in cp1252');
    assert.deepEqual(decodeSource(Uint8Array.of(...utf8('# coding: ascii\r\rx = "'), 0xe9, 0x22)), {
      error: "File cannot be decoded as 'ascii', the encoding its coding cookie declares (byte 0xe9 on line 3)",
    }, 'ASCII is not windows-1252, whatever WHATWG labels say; lone CRs end lines');
    const bad = decodeSource(Uint8Array.of(...utf8('# coding: utf-8\n\n\nx = "'), 0xed, 0xa0, 0x80, 0x22));
    assert.deepEqual(bad, {
      error: 'File is not valid UTF-8 (byte 0xed on line 4); add a PEP 263 coding cookie if it uses another encoding',
    });
    assert.ok('error' in decodeSource(Uint8Array.of(0xc0, 0xaf)), 'an overlong encoding is not UTF-8');
    assert.ok('error' in decodeSource(Uint8Array.of(0xf0, 0x9f, 0x98)), 'a truncated sequence at the end is not UTF-8');
  });
});
