import { digestOf, RequestStateCodec, RequestStateIntegrityError, type RequestStatePayload } from './request-state.codec.js';

const payload: RequestStatePayload = {
  principal: 'anonymous',
  method: 'tools/call',
  digest: digestOf({ name: 'greet', arguments: {} }),
  expiresAt: Date.now() + 60_000,
  nonce: 'n-1',
  answers: { elicitation_1: { question: 'q', result: { action: 'accept', content: { name: 'Ada' } } } },
  asked: { elicitation_2: 'q2' },
};

describe('RequestStateCodec', () => {
  const codec = new RequestStateCodec('a-secret-that-is-long-enough-0123456789');

  it('opens what it sealed, and what another instance with the same secret sealed', () => {
    const sealed = codec.seal(payload);
    expect(codec.open(sealed)).toEqual(payload);
    expect(new RequestStateCodec('a-secret-that-is-long-enough-0123456789').open(sealed)).toEqual(payload);
  });

  it('hides the payload from the client and never seals the same state twice the same way', () => {
    const sealed = codec.seal(payload);
    expect(Buffer.from(sealed.slice(3), 'base64url').toString('latin1')).not.toContain('Ada');
    expect(codec.seal(payload)).not.toBe(sealed);
  });

  it('refuses any change: a flipped character, a suffix, a cut, another prefix, junk, another key', () => {
    const sealed = codec.seal(payload);
    const middle = Math.floor(sealed.length / 2);
    const flipped = sealed.slice(0, middle) + (sealed[middle] === 'A' ? 'B' : 'A') + sealed.slice(middle + 1);
    for (const token of [flipped, `${sealed}-TAMPERED`, sealed.slice(0, -4), `v2.${sealed.slice(3)}`, 'v1.%%%', '', 'v1.']) {
      expect(() => codec.open(token)).toThrow(RequestStateIntegrityError);
    }
    expect(() => new RequestStateCodec('another-secret-that-is-long-enough-012').open(sealed)).toThrow(RequestStateIntegrityError);
  });
});

describe('digestOf', () => {
  it('is the same for equal values whatever the key order, and differs otherwise', () => {
    expect(digestOf({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(digestOf({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(digestOf({ a: 1 })).not.toBe(digestOf({ a: '1' }));
    expect(digestOf({ list: [1, 2] })).not.toBe(digestOf({ list: [2, 1] }));
  });
});
