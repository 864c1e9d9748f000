/**
 * RFC 6570 level-1 URI templates (`{name}` simple string expansion), as resource templates use
 * them. A variable matches one or more characters other than `/`, `?` and `#`; the matched text is
 * percent-decoded.
 */
export class UriTemplate {
  readonly variables: readonly string[];
  private readonly pattern: RegExp;

  constructor(readonly template: string) {
    const variables: string[] = [];
    let source = '';
    let last = 0;
    for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
      const name = match[1];
      if (!/^[A-Za-z0-9_]+$/.test(name)) {
        throw new Error(`URI template ${template}: "{${name}}" is not a level-1 variable (letters, digits, _).`);
      }
      if (variables.includes(name)) throw new Error(`URI template ${template}: variable "${name}" appears twice.`);
      variables.push(name);
      source += escapeRegExp(template.slice(last, match.index)) + '([^/?#]+)';
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
