import type { McpContext } from './mcp-context.js';
import { hasScopes, isListed, isVisible } from './item-access.js';

const ctx = (scopes: string[]) => ({ auth: { scopes } }) as unknown as McpContext;

describe('item access', () => {
  const scoped = { scopes: ['w'] };

  it('lists an item when the caller has its scopes, or when unauthorized items are shown', () => {
    expect(isListed(scoped, ctx(['w']), false)).toBe(true);
    expect(isListed(scoped, ctx([]), false)).toBe(false);
    expect(isListed(scoped, ctx([]), true)).toBe(true);
    expect(isListed({}, ctx([]), false)).toBe(true);
  });

  it('never lists an item its visibility hook hides, whatever the scopes', () => {
    const hidden = { visible: () => false };
    expect(isListed(hidden, ctx(['w']), true)).toBe(false);
    expect(isVisible(hidden, ctx([]))).toBe(false);
    expect(isVisible({ visible: (c: McpContext) => c.auth.scopes.includes('beta') }, ctx(['beta']))).toBe(true);
  });

  it('checks scopes', () => {
    expect(hasScopes(scoped, ctx(['w', 'x']))).toBe(true);
    expect(hasScopes(scoped, ctx(['x']))).toBe(false);
  });
});
