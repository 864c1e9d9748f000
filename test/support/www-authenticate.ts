/** One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1): scheme and auth-params. */
export interface ParsedChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * A strict parser for `Bearer` challenges as RFC 9110 defines them: `scheme [ param *( "," param ) ]`,
 * `param = token BWS "=" BWS ( token / quoted-string )`, with `\` escapes in quoted strings.
 * Throws on anything else, so a malformed header fails the test. Written independently of the
 * library's formatter on purpose.
 */
export function parseWwwAuthenticate(header: string | null): ParsedChallenge {
  if (header === null) throw new Error('no WWW-Authenticate header');
  let index = 0;
  const token = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
  const readToken = (): string => {
    token.lastIndex = index;
    const match = token.exec(header);
    if (!match) throw new Error(`expected a token at ${index} in ${header}`);
    index += match[0].length;
    return match[0];
  };
  const skipSpace = () => {
    while (header[index] === ' ' || header[index] === '\t') index++;
  };
  const scheme = readToken();
  const params: Record<string, string> = {};
  skipSpace();
  while (index < header.length) {
    const name = readToken().toLowerCase();
    skipSpace();
    if (header[index++] !== '=') throw new Error(`expected "=" after ${name} in ${header}`);
    skipSpace();
    let value = '';
    if (header[index] === '"') {
      index++;
      for (;;) {
        const char = header[index++];
        if (char === undefined) throw new Error(`unterminated quoted-string in ${header}`);
        if (char === '"') break;
        if (char === '\\') {
          const escaped = header[index++];
          if (escaped === undefined) throw new Error(`dangling escape in ${header}`);
          value += escaped;
        } else {
          value += char;
        }
      }
    } else {
      value = readToken();
    }
    if (name in params) throw new Error(`duplicate parameter ${name} in ${header}`);
    params[name] = value;
    skipSpace();
    if (index < header.length) {
      if (header[index++] !== ',') throw new Error(`expected "," at ${index - 1} in ${header}`);
      skipSpace();
    }
  }
  return { scheme, params };
}
