import { headerParamsOf } from './header-params.js';

const schema = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });

describe('headerParamsOf', () => {
  it('finds string, integer and boolean properties reached through properties only, nested ones too', () => {
    expect(
      headerParamsOf(
        schema({
          region: { type: 'string', 'x-mcp-header': 'Region' },
          shard: { type: 'integer', 'x-mcp-header': 'Shard' },
          target: { type: 'object', properties: { dry: { type: 'boolean', 'x-mcp-header': 'Dry-Run' } } },
          plain: { type: 'string' },
        }),
      ),
    ).toEqual([
      { name: 'Region', path: ['region'], type: 'string' },
      { name: 'Shard', path: ['shard'], type: 'integer' },
      { name: 'Dry-Run', path: ['target', 'dry'], type: 'boolean' },
    ]);
  });

  it.each([
    ['an empty name', schema({ a: { type: 'string', 'x-mcp-header': '' } }), 'token'],
    ['a name that is no header token', schema({ a: { type: 'string', 'x-mcp-header': 'Bad Name' } }), 'token'],
    ['a number property', schema({ a: { type: 'number', 'x-mcp-header': 'A' } }), 'string, integer or boolean'],
    ['an object property', schema({ a: { type: 'object', 'x-mcp-header': 'A' } }), 'string, integer or boolean'],
    [
      'a property under items',
      schema({ a: { type: 'array', items: { type: 'string', 'x-mcp-header': 'A' } } }),
      'through "properties" only',
    ],
    [
      'a property under anyOf',
      schema({}, { anyOf: [{ properties: { a: { type: 'string', 'x-mcp-header': 'A' } } }] }),
      'through "properties" only',
    ],
    ['the schema root', { type: 'string', 'x-mcp-header': 'A' }, 'through "properties" only'],
    [
      'a name used twice in other cases',
      schema({ a: { type: 'string', 'x-mcp-header': 'Zone' }, b: { type: 'string', 'x-mcp-header': 'zone' } }),
      'twice',
    ],
  ])('refuses %s', (_what, input, message) => {
    expect(() => headerParamsOf(input)).toThrow(message);
  });
});
