import { createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** Which metadata documents the fixture publishes. */
export type FixtureDiscovery = 'oidc' | 'oauth' | 'both' | 'none';

export interface TestAuthorizationServerOptions {
  /** Path of the issuer (`/tenant1`); default none. */
  issuerPath?: string;
  discovery?: FixtureDiscovery;
  /** Fields merged into the metadata documents (`{ jwks_uri: undefined }` removes one). */
  metadata?: Record<string, unknown>;
  /** Audience of minted tokens when `mint()` gets none. */
  audience?: string;
  /** Clients allowed to use the token endpoint (client_credentials). */
  clients?: Record<string, { secret: string }>;
}

export type SigningAlg = 'RS256' | 'ES256';

export interface MintOptions {
  alg?: SigningAlg;
  /** JWT header `kid`; default the current key's. `null` leaves it out. */
  kid?: string | null;
  /** JWT header `typ`; default `at+jwt`. `null` leaves it out. */
  typ?: string | null;
  /** Sign with a key the JWKS does not publish (under the published `kid` unless `kid` is given). */
  unpublishedKey?: boolean;
}

interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TokenRequest {
  grantType: string | null;
  clientId: string | undefined;
  resource: string | null;
  scope: string | null;
}

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function newKey(alg: SigningAlg): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * A small OAuth authorization server for tests, on a free loopback port: OpenID Connect and/or
 * RFC 8414 metadata, a JWKS with an RSA and an EC key, a client_credentials token endpoint, and
 * helpers to mint (also deliberately broken) access tokens, rotate keys, and go down and back up.
 */
export class TestAuthorizationServer {
  private server: Server | undefined;
  private keys: SigningKey[] = [];
  private unpublished: SigningKey[] = [];
  private port = 0;
  private failStatus: number | undefined;
  /** GET requests the JWKS endpoint answered (or refused with `failWith`). */
  jwksRequests = 0;
  /** Metadata document requests, by path. */
  readonly metadataRequests: string[] = [];
  readonly tokenRequests: TokenRequest[] = [];

  private constructor(private readonly options: TestAuthorizationServerOptions) {}

  static async start(options: TestAuthorizationServerOptions = {}): Promise<TestAuthorizationServer> {
    const fixture = new TestAuthorizationServer(options);
    fixture.keys = [await newKey('RS256'), await newKey('ES256')];
    fixture.unpublished = [await newKey('RS256'), await newKey('ES256')];
    await fixture.up();
    return fixture;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get issuer(): string {
    return `${this.origin}${this.options.issuerPath ?? ''}`;
  }

  get jwksUri(): string {
    return `${this.issuer}/jwks`;
  }

  get tokenEndpoint(): string {
    return `${this.issuer}/token`;
  }

  /** The metadata document, as published. */
  metadata(kind: 'oidc' | 'oauth' = 'oauth'): Record<string, unknown> {
    const document: Record<string, unknown> = {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: this.tokenEndpoint,
      jwks_uri: this.jwksUri,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['notes:read', 'notes:write'],
      ...(kind === 'oidc' && { subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] }),
      ...this.options.metadata,
    };
    return JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
  }

  /** The key currently used for `alg`. */
  currentKid(alg: SigningAlg = 'RS256'): string {
    return this.keys.find((key) => key.alg === alg)!.kid;
  }

  /** PEM of the current RSA public key, as a verifier would derive it from the JWKS. */
  publicKeyPem(alg: SigningAlg = 'RS256'): string {
    const jwk = this.keys.find((key) => key.alg === alg)!.publicJwk;
    return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  }

  /** Default claims of a valid token, overridable; a claim set to `undefined` is left out. */
  claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: 'alice',
      aud: this.options.audience ?? 'https://mcp.example.test/mcp',
      exp: now + 300,
      iat: now,
      jti: randomUUID(),
      client_id: 'test-client',
      scope: 'notes:read',
      ...overrides,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return claims;
  }

  /** Signs an access token (RFC 9068 shape unless told otherwise). */
  async mint(overrides: Record<string, unknown> = {}, options: MintOptions = {}): Promise<string> {
    const alg = options.alg ?? 'RS256';
    const key = (options.unpublishedKey ? this.unpublished : this.keys).find((candidate) => candidate.alg === alg)!;
    const header: Record<string, unknown> = { alg };
    // An unpublished key signs under the published kid unless told otherwise: a forgery.
    if (options.kid !== null) header.kid = options.kid ?? this.currentKid(alg);
    if (options.typ !== null) header.typ = options.typ ?? 'at+jwt';
    return new SignJWT(this.claims(overrides)).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
  }

  /** `alg: none`: header and payload, empty signature. */
  unsigned(overrides: Record<string, unknown> = {}): string {
    return `${encode({ alg: 'none', typ: 'at+jwt', kid: this.currentKid() })}.${encode(this.claims(overrides))}.`;
  }

  /** Algorithm confusion: HS256 with the RSA public key (PEM) as the HMAC secret. */
  async hs256WithPublicKey(overrides: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(this.claims(overrides))
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: this.currentKid() })
      .sign(new TextEncoder().encode(this.publicKeyPem()));
  }

  /** New keys (new `kid`s) for both algorithms; the old ones stay published when `keepOld`. */
  async rotate(options: { keepOld?: boolean } = {}): Promise<void> {
    const fresh = [await newKey('RS256'), await newKey('ES256')];
    this.keys = options.keepOld ? [...fresh, ...this.keys] : fresh;
  }

  /** Answer every request with this status (e.g. 500) until `failWith(undefined)`. */
  failWith(status: number | undefined): void {
    this.failStatus = status;
  }

  /** Stops listening and drops connections: requests are refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Listens again, on the same port after `down()`. */
  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  close(): Promise<void> {
    return this.down();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.origin).pathname;
    const issuerPath = this.options.issuerPath ?? '';
    const discovery = this.options.discovery ?? 'both';
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (path === `${issuerPath}/jwks`) this.jwksRequests++;
    if (this.failStatus !== undefined) return json(this.failStatus, { error: 'server_error' });

    if (path === `${issuerPath}/.well-known/openid-configuration` && (discovery === 'oidc' || discovery === 'both')) {
      this.metadataRequests.push(path);
      return json(200, this.metadata('oidc'));
    }
    if (path === `/.well-known/oauth-authorization-server${issuerPath}` && (discovery === 'oauth' || discovery === 'both')) {
      this.metadataRequests.push(path);
      return json(200, this.metadata('oauth'));
    }
    if (path === `${issuerPath}/jwks`) return json(200, { keys: this.keys.map((key) => key.publicJwk) });
    if (path === `${issuerPath}/token` && request.method === 'POST') return this.token(request, json);
    if (path.includes('.well-known')) this.metadataRequests.push(path);
    return json(404, { error: 'not_found' });
  }

  /** RFC 6749 §4.4 client_credentials, with RFC 8707 `resource` becoming the token's audience. */
  private async token(request: IncomingMessage, json: (status: number, body: unknown) => void): Promise<void> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const form = new URLSearchParams(body);
    let clientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    this.tokenRequests.push({ grantType: form.get('grant_type'), clientId, resource: form.get('resource'), scope: form.get('scope') });
    const client = clientId === undefined ? undefined : this.options.clients?.[clientId];
    if (!client || client.secret !== secret) return json(401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
    const scope = form.get('scope') ?? '';
    const accessToken = await this.mint({
      sub: clientId,
      client_id: clientId,
      aud: form.get('resource') ?? this.options.audience,
      scope,
    });
    return json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, scope });
  }
}
