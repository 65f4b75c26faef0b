import { describe, expect, it } from 'vitest';
import { sameOrigin } from '../../src/server/same-origin.js';

describe('sameOrigin', () => {
  it('accepts a request that names no Origin (scripts, same-origin GETs)', () => {
    expect(sameOrigin(undefined, 'yici.example')).toBe(true);
    expect(sameOrigin('', 'yici.example')).toBe(true);
  });

  it('accepts an Origin whose host, port included, is the Host asked', () => {
    expect(sameOrigin('https://yici.example', 'yici.example')).toBe(true);
    expect(sameOrigin('http://127.0.0.1:8080', '127.0.0.1:8080')).toBe(true);
  });

  it('refuses another site, another port, an opaque null Origin and one that is not a URL', () => {
    expect(sameOrigin('https://evil.example', 'yici.example')).toBe(false);
    expect(sameOrigin('http://127.0.0.1:9999', '127.0.0.1:8080')).toBe(false);
    expect(sameOrigin('https://yici.example.evil.example', 'yici.example')).toBe(false);
    expect(sameOrigin('null', 'yici.example')).toBe(false);
    expect(sameOrigin('%', 'yici.example')).toBe(false);
    expect(sameOrigin('https://yici.example', undefined)).toBe(false);
  });
});
