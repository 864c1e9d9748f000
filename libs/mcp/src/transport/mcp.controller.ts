import { Controller, Delete, Get, Head, Inject, Options, Patch, Post, Put, Req, Res, UseGuards, type Type } from '@nestjs/common';
import { ENDPOINT_METHODS } from './cors.js';
import { McpAuthGuard } from '../auth/mcp-auth.guard.js';
import { methodNotAllowed } from './http-rules.js';
import { nodeRequest, nodeResponse } from './node-http.js';
import { StreamableHttpTransport } from './streamable-http.transport.js';

// What @Req() / @Res() give: Node's objects (Express) or Fastify's wrappers around them.
type AnyRequest = Parameters<typeof nodeRequest>[0];
type AnyResponse = Parameters<typeof nodeResponse>[0];

/**
 * The MCP endpoint as an ordinary Nest controller: the app's global prefix, guards, interceptors
 * and exception filters apply to it. The transport writes the raw response itself (SSE streams
 * outlive the handler), hence `@Res()`; it works on Node's own request and response, so Express and
 * Fastify apps are served by the same code. `McpAuthGuard` checks bearer tokens when `auth` is set.
 */
@UseGuards(McpAuthGuard)
export class McpController {
  constructor(@Inject(StreamableHttpTransport) private readonly transport: StreamableHttpTransport) {}

  @Options()
  options(@Req() request: AnyRequest, @Res() response: AnyResponse): void {
    this.transport.handleOptions(nodeRequest(request), nodeResponse(response));
  }

  // Declared before GET: Express and Fastify would otherwise answer HEAD with the GET handler.
  @Head()
  head(@Res() response: AnyResponse): never {
    return this.notAllowed(response);
  }

  @Post()
  post(@Req() request: AnyRequest, @Res() response: AnyResponse): Promise<void> {
    return this.transport.handlePost(nodeRequest(request), nodeResponse(response));
  }

  @Get()
  get(@Req() request: AnyRequest, @Res() response: AnyResponse): Promise<void> {
    return this.transport.handleGet(nodeRequest(request), nodeResponse(response));
  }

  @Delete()
  delete(@Req() request: AnyRequest, @Res() response: AnyResponse): Promise<void> {
    return this.transport.handleDelete(nodeRequest(request), nodeResponse(response));
  }

  // Explicit verbs rather than @All(): Fastify refuses a catch-all next to the routes above.
  @Put()
  put(@Res() response: AnyResponse): never {
    return this.notAllowed(response);
  }

  @Patch()
  patch(@Res() response: AnyResponse): never {
    return this.notAllowed(response);
  }

  private notAllowed(response: AnyResponse): never {
    nodeResponse(response).setHeader('Allow', ENDPOINT_METHODS);
    throw methodNotAllowed('POST, GET, DELETE and OPTIONS');
  }
}

/**
 * A controller class mounted at `path`. Each module definition gets its own subclass, so the path
 * lives in that subclass's metadata and several MCP endpoints can coexist in one app.
 */
export function createMcpController(path: string): Type<McpController> {
  class McpEndpointController extends McpController {}
  Controller(path)(McpEndpointController);
  return McpEndpointController;
}
