import { expandScopes, isToolListed, missingScopes, scopesFromClaims } from './scopes.js';

describe('scopes', () => {
  it('reads scope (space separated) or scp (list or string), without duplicates or empties', () => {
    expect(scopesFromClaims({ scope: 'a  b a' })).toEqual(['a', 'b']);
    expect(scopesFromClaims({ scp: ['a', 'b', 3] })).toEqual(['a', 'b']);
    expect(scopesFromClaims({ scp: 'a b' })).toEqual(['a', 'b']);
    expect(scopesFromClaims({ scope: 'x', scp: ['y'] })).toEqual(['x']);
    expect(scopesFromClaims({})).toEqual([]);
  });

  it('expands implied scopes transitively and survives cycles', () => {
    expect(expandScopes(['admin'], { admin: ['write'], write: ['read'] })).toEqual(['admin', 'write', 'read']);
    expect(expandScopes(['a'], { a: ['b'], b: ['a'] })).toEqual(['a', 'b']);
    expect(expandScopes(['read'], { admin: ['write'] })).toEqual(['read']);
  });

  it('lists the missing scopes', () => {
    expect(missingScopes({ scopes: ['a', 'b'] }, ['a', 'c', 'd'])).toEqual(['c', 'd']);
    expect(missingScopes({ scopes: [] }, undefined)).toEqual([]);
    expect(missingScopes({ scopes: [] }, [])).toEqual([]);
  });

  it('lists a tool when the caller has its scopes, or when hiding is off', () => {
    const tool = { scopes: ['w'] };
    expect(isToolListed(tool, { scopes: ['w'] }, { hideUnauthorizedTools: true })).toBe(true);
    expect(isToolListed(tool, { scopes: [] }, { hideUnauthorizedTools: true })).toBe(false);
    expect(isToolListed(tool, { scopes: [] }, undefined)).toBe(false);
    expect(isToolListed(tool, { scopes: [] }, { hideUnauthorizedTools: false })).toBe(true);
    expect(isToolListed({}, { scopes: [] }, undefined)).toBe(true);
  });
});
