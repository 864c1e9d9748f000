// Auth for the "auth on" rows: a JWKS endpoint served from the bench process and one RS256
// `at+jwt` access token signed with its key. The server under test fetches the JWKS once and
// caches it, so the figure is the cost of checking a JWT on every request.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { once } from 'node:events';
import { createServer } from 'node:http';

export async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' }] });
  let jwksRequests = 0;
  const server = createServer((req, res) => {
    jwksRequests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const audience = 'http://127.0.0.1/mcp';
  const token = await new SignJWT({ scope: 'mcp' })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);
  return {
    token,
    /** The sample's auth settings (apps/sample/src/auth.config.ts). */
    env: { MCP_AUTH_ISSUER: issuer, MCP_AUTH_AUDIENCE: audience, MCP_AUTH_JWKS_URI: `${issuer}/jwks` },
    get jwksRequests() {
      return jwksRequests;
    },
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
