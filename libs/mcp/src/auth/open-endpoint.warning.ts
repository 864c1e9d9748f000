import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { MCP_ENDPOINT_PATH, MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';

const isLoopback = (address: string): boolean =>
  address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.') || address === 'localhost';

/**
 * Warns once the app listens when the MCP endpoint has no `auth` and the server accepts
 * connections beyond loopback: anyone who reaches it could call every tool. Silenced with
 * `warnWhenOpen: false` (e.g. when the app's own guards authenticate the endpoint).
 */
@Injectable()
export class OpenEndpointWarning implements OnApplicationBootstrap {
  private readonly logger = new Logger('McpAuth');

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    @Inject(MCP_ENDPOINT_PATH) private readonly path: string,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.auth || this.options.warnWhenOpen === false) return;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      { address(): AddressInfo | string | null; once(event: 'listening', listener: () => void): void } | undefined;
    if (!server || typeof server.address !== 'function') return;
    const check = () => {
      const address = server.address();
      if (address === null || typeof address === 'string' || isLoopback(address.address)) return;
      this.logger.warn(
        `The MCP endpoint ${this.path} has no auth and the server listens on ${address.address}:${address.port}, beyond loopback: ` +
          'anyone who can reach it can call every tool. Configure the "auth" option, listen on 127.0.0.1, ' +
          'or set warnWhenOpen: false if your own guards authenticate it.',
      );
    };
    if (server.address()) check();
    else server.once('listening', check);
  }
}
