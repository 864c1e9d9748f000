/**
 * A tool argument mirrored into an `Mcp-Param-{name}` HTTP header (MCP 2026-07-28 `server/tools`,
 * "x-mcp-header"): where it sits in the arguments and how its value is written.
 */
export interface HeaderParam {
  /** The `x-mcp-header` value, as declared (`Region` → `Mcp-Param-Region`). */
  name: string;
  /** Chain of `properties` keys from the schema root to the property. */
  path: readonly string[];
  type: 'string' | 'integer' | 'boolean';
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PRIMITIVES = new Set(['string', 'integer', 'boolean']);

/**
 * The `x-mcp-header` declarations of a tool's input schema. Throws with the reason when one breaks
 * a rule of the spec: a header-name token, unique (case-insensitively), on a string, integer or
 * boolean property reachable from the root through `properties` only.
 */
export function headerParamsOf(schema: Record<string, unknown>): HeaderParam[] {
  const params: HeaderParam[] = [];
  const visit = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) return node.forEach((item, index) => visit(item, [...path, String(index)]));
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if ('x-mcp-header' in record) params.push(declaration(record, path));
    for (const [key, value] of Object.entries(record)) visit(value, [...path, key]);
  };
  visit(schema, []);
  const seen = new Set<string>();
  for (const param of params) {
    const folded = param.name.toLowerCase();
    if (seen.has(folded)) throw new Error(`x-mcp-header "${param.name}" is declared twice (names compare case-insensitively).`);
    seen.add(folded);
  }
  return params;
}

function declaration(property: Record<string, unknown>, path: string[]): HeaderParam {
  const name = property['x-mcp-header'];
  const where = path.length === 0 ? 'the schema root' : path.join('.');
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new Error(
      `x-mcp-header at ${where} must be a non-empty HTTP header-name token (letters, digits, ! # $ % & ' * + - . ^ _ \` | ~).`,
    );
  }
  const reachable = path.length >= 2 && path.length % 2 === 0 && path.every((key, index) => index % 2 === 1 || key === 'properties');
  if (!reachable) {
    throw new Error(`x-mcp-header "${name}" at ${where} must sit on a property reached from the root through "properties" only.`);
  }
  if (typeof property.type !== 'string' || !PRIMITIVES.has(property.type)) {
    throw new Error(
      `x-mcp-header "${name}" must be on a property of type string, integer or boolean (not ${JSON.stringify(property.type)}).`,
    );
  }
  return { name, path: path.filter((_, index) => index % 2 === 1), type: property.type as HeaderParam['type'] };
}
