import { expandScopes, missingScopes, scopesFromClaims } from './scopes.js';

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
});
