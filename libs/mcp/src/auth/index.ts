/**
 * Authenticators built on Passport (`@nest-mcp/mcp/auth`): importing this loads passport,
 * passport-jwt and jwks-rsa, and `PassportAuthenticator` needs `@nestjs/passport` of the app's Nest
 * line. The main entry point never loads them: `McpModule` imports `JwtAuthenticator` itself, only
 * when `auth` is configured.
 */
export { JwtAuthenticator, type JwtAuthenticatorOptions } from './jwt.authenticator.js';
export { PassportAuthenticator, type PassportAuthenticatorOptions } from './passport.authenticator.js';
