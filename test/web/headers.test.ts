// Headers (ports twisted.web.test.test_http_headers).
import { describe, expect, test } from 'vitest';
import { Headers } from '../../src/index.ts';

const b = (s: string): Buffer => Buffer.from(s);

describe('Headers', () => {
  test('initialized from an object or pairs; names are case-insensitive; values come back as Buffers', () => {
    const h = new Headers({ Foo: ['bar'] });
    expect(h.getRawHeaders('foo')).toEqual([b('bar')]);
    expect(h.getRawHeaders(b('FOO'))).toEqual([b('bar')]);
    const pairs = new Headers(new Map([[b('x-a'), [b('1'), '2']]]));
    expect(pairs.getRawHeaders('X-A')).toEqual([b('1'), b('2')]);
  });

  test('string values are UTF-8; Buffer values are kept as bytes', () => {
    const h = new Headers();
    h.setRawHeaders('x-text', ['é']);
    h.setRawHeaders('x-bytes', [Buffer.from([0xe9])]);
    expect(h.getRawHeaders('x-text')).toEqual([Buffer.from('é', 'utf8')]);
    expect(h.getRawHeaders('x-bytes')).toEqual([Buffer.from([0xe9])]);
  });

  test('getRawHeaders gives undefined or the default for an absent name (test_getRawHeadersDefaultValue)', () => {
    const h = new Headers();
    expect(h.getRawHeaders('absent')).toBeUndefined();
    const dflt = [b('x')];
    expect(h.getRawHeaders('absent', dflt)).toBe(dflt);
    expect(h.getRawHeaders('absent', null)).toBeNull();
  });

  test('setRawHeaders replaces, addRawHeader appends, removeHeader removes, hasHeader tells', () => {
    const h = new Headers();
    h.setRawHeaders('test', ['lemur']);
    h.addRawHeader('test', 'panda');
    expect(h.getRawHeaders('test')).toEqual([b('lemur'), b('panda')]);
    h.setRawHeaders('test', ['only']);
    expect(h.getRawHeaders('test')).toEqual([b('only')]);
    expect(h.hasHeader('TEST')).toBe(true);
    h.removeHeader('Test');
    expect(h.hasHeader('test')).toBe(false);
    h.removeHeader('never-there');
  });

  test('CR and LF in names and values become spaces (test_sanitizeLinearWhitespace)', () => {
    const h = new Headers();
    h.setRawHeaders('x', ['a\r\nb\nc\rd']);
    expect(h.getRawHeaders('x')).toEqual([b('a b c d')]);
    h.addRawHeader('y', 'injected\r\nSet-Cookie: evil=1');
    expect(h.getRawHeaders('y')).toEqual([b('injected Set-Cookie: evil=1')]);
  });

  test('getAllRawHeaders yields canonical capitalization (test_getAllRawHeaders, _canonicalNameCaps)', () => {
    const h = new Headers({
      'content-type': ['a'],
      etag: ['"1"'],
      'www-authenticate': ['x'],
      te: ['y'],
      'x-foo-bar': ['z'],
    });
    const names = [...h.getAllRawHeaders()].map(([n]) => n.toString());
    expect(names).toEqual(['Content-Type', 'ETag', 'WWW-Authenticate', 'TE', 'X-Foo-Bar']);
  });

  test('copy is independent; equals compares names and values', () => {
    const h = new Headers({ a: ['1'] });
    const c = h.copy();
    expect(c.equals(h)).toBe(true);
    c.addRawHeader('a', '2');
    expect(h.getRawHeaders('a')).toEqual([b('1')]);
    expect(c.equals(h)).toBe(false);
    expect(h.equals({})).toBe(false);
  });

  test('bad arguments are refused with errors naming them', () => {
    const h = new Headers();
    expect(() => h.setRawHeaders('x', 'not-a-list' as never)).toThrow(/"values" argument/);
    expect(() => h.setRawHeaders('x', [3 as never])).toThrow(/"values\[0\]" argument/);
    expect(() => h.setRawHeaders('bad name', ['v'])).toThrow(/argument "name" is invalid.*HTTP token/);
    expect(() => h.addRawHeader('x', 'nul\u0000')).toThrow(/argument "value" is invalid/);
    expect(() => h.getRawHeaders(5 as never)).toThrow(TypeError);
    expect(() => new Headers(5 as never)).toThrow(/"rawHeaders" argument/);
  });

  test('toString shows the headers', () => {
    expect(String(new Headers({ a: ['1'] }))).toBe('Headers({"a": ["1"]})');
  });
});
