// #region imports
import { Injectable } from '@nestjs/common';
import {
  DevTokenAuthenticator,
  InvalidTokenError,
  McpModule,
  readBearerToken,
  type Authenticator,
  type AuthenticatorRequest,
  type McpPrincipal,
} from '@nest-mcp/mcp';
import { PassportAuthenticator } from '@nest-mcp/mcp/auth'; // needs @nestjs/passport of your Nest line
// #endregion

// #region introspection
/** Opaque tokens checked by the authorization server's RFC 7662 introspection endpoint. */
@Injectable()
export class IntrospectionAuthenticator implements Authenticator {
  constructor(private readonly endpoint: string) {}

  async authenticate(request: AuthenticatorRequest): Promise<McpPrincipal> {
    const token = readBearerToken(request); // MissingCredentialsError / InvalidAuthRequestError
    const response = await fetch(this.endpoint, { method: 'POST', body: new URLSearchParams({ token }) });
    const claims = (await response.json()) as { active: boolean; sub: string; iss: string; scope?: string };
    if (!claims.active) throw new InvalidTokenError();
    return { subject: claims.sub, issuer: claims.iss, scopes: claims.scope?.split(' ') ?? [], claims, anonymous: false };
  }
}
// #endregion

export const modules = [
  // #region authenticators
  McpModule.forRoot({
    name: 'notes',
    version: '1.0.0',
    auth: { issuer: 'https://id.example.com', authenticator: new PassportAuthenticator('api-key') }, // any passport strategy
  }),
  McpModule.forRoot({
    name: 'notes',
    version: '1.0.0',
    auth: { issuer: 'https://id.example.com', authenticator: new IntrospectionAuthenticator('https://id.example.com/introspect') },
  }),
  McpModule.forRoot({
    name: 'notes',
    version: '1.0.0',
    auth: { authenticator: new DevTokenAuthenticator({ tokens: { 'dev-alice': { subject: 'alice', scopes: ['notes:write'] } } }) },
  }),
  // #endregion
];
