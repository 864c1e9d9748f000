/**
 * URI templates as resource templates use them: RFC 6570 level-1 simple string expansion, `{name}`,
 * matching one or more characters other than `/`, `?` and `#`, and level-2 reserved expansion,
 * `{+name}`, which also matches `/` (a path). Matched text is percent-decoded.
 */
export class UriTemplate {
  readonly variables: readonly string[];
  private readonly pattern: RegExp;

  constructor(readonly template: string) {
    const variables: string[] = [];
    let source = '';
    let last = 0;
    for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
      const reserved = match[1].startsWith('+');
      const name = reserved ? match[1].slice(1) : match[1];
      if (!/^[A-Za-z0-9_]+$/.test(name)) {
        throw new Error(`URI template ${template}: "{${match[1]}}" is not a {variable} or {+variable} (letters, digits, _).`);
      }
      if (variables.includes(name)) throw new Error(`URI template ${template}: variable "${name}" appears twice.`);
      variables.push(name);
      source += escapeRegExp(template.slice(last, match.index)) + (reserved ? '([^?#]+)' : '([^/?#]+)');
      last = match.index + match[0].length;
    }
    const rest = template.slice(last);
    if (/[{}]/.test(rest) || variables.length === 0) {
      throw new Error(`URI template ${template}: needs at least one {variable} and balanced braces.`);
    }
    this.variables = variables;
    this.pattern = new RegExp(`^${source}${escapeRegExp(rest)}$`);
  }

  /** The variables of a URI the template matches, or `undefined`. */
  match(uri: string): Record<string, string> | undefined {
    const match = this.pattern.exec(uri);
    if (!match) return undefined;
    const values: Record<string, string> = {};
    try {
      this.variables.forEach((name, index) => (values[name] = decodeURIComponent(match[index + 1])));
    } catch {
      return undefined;
    }
    return values;
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
