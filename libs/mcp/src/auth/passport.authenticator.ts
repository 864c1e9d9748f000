import type { ExecutionContext } from '@nestjs/common';
import { AuthGuard, type IAuthGuard } from '@nestjs/passport';
import { InvalidTokenError, McpAuthError, MissingCredentialsError } from './auth.errors.js';
import type { Authenticator, AuthenticatorRequest } from './authenticator.interface.js';
import { principalFromUser, type McpPrincipal } from './mcp-principal.js';

/** Options of {@link PassportAuthenticator}. */
export interface PassportAuthenticatorOptions {
  /**
   * Turns what the strategy's `validate`/verify callback returned into the principal. Default
   * `principalFromUser` (an `McpPrincipal`, JWT claims with `sub`, or a user with an `id`).
   */
  toPrincipal?: (user: unknown) => McpPrincipal;
}

/**
 * Authenticates with any passport strategy registered under `strategy` (for example a
 * `PassportStrategy(Strategy, 'api-key')` provider of your app), through `@nestjs/passport`'s
 * `AuthGuard`. A strategy failure becomes `MissingCredentialsError` when the request had no
 * `Authorization` header, `InvalidTokenError` otherwise; an `McpAuthError` the strategy fails or
 * errors with is answered as is.
 *
 * @example
 * McpModule.forRoot({ ..., auth: { issuer, authenticator: new PassportAuthenticator('api-key') } })
 */
export class PassportAuthenticator implements Authenticator {
  private readonly guard: IAuthGuard;
  private readonly toPrincipal: (user: unknown) => McpPrincipal;

  constructor(
    readonly strategy: string,
    options: PassportAuthenticatorOptions = {},
  ) {
    this.toPrincipal = options.toPrincipal ?? principalFromUser;
    const failure = (info: unknown, request: AuthenticatorRequest) => this.failure(info, request);
    const Guard = AuthGuard(strategy);
    class McpPassportGuard extends Guard {
      override handleRequest<TUser>(error: unknown, user: unknown, info: unknown, context: ExecutionContext): TUser {
        if (error) throw error instanceof Error ? error : new Error(`The passport strategy ${strategy} failed.`, { cause: error });
        if (!user) throw failure(info, context.switchToHttp().getRequest<AuthenticatorRequest>());
        return user as TUser;
      }
    }
    this.guard = new McpPassportGuard();
  }

  async authenticate(request: AuthenticatorRequest, context: ExecutionContext): Promise<McpPrincipal> {
    await this.guard.canActivate(context);
    const principal = this.toPrincipal(request.user);
    if (principal.anonymous)
      throw new InvalidTokenError(InvalidTokenError.INVALID, `passport strategy "${this.strategy}" returned no usable user`);
    return principal;
  }

  /** Maps a strategy's failure (`info` of `fail(info)`) to the answer. */
  protected failure(info: unknown, request: AuthenticatorRequest): McpAuthError {
    if (info instanceof McpAuthError) return info;
    if (request.headers.authorization === undefined) return new MissingCredentialsError();
    const reason = info instanceof Error ? info.message : typeof info === 'string' ? info : undefined;
    return new InvalidTokenError(InvalidTokenError.INVALID, reason);
  }
}
