import { All, Controller, Delete, Get, Inject, Post, Req, Res, UseGuards, type Type } from '@nestjs/common';
import { McpAuthGuard } from '../auth/mcp-auth.guard.js';
import type { ServerResponse } from 'node:http';
import { methodNotAllowed, type McpHttpRequest } from './http-rules.js';
import { StreamableHttpTransport } from './streamable-http.transport.js';

/**
 * The MCP endpoint as an ordinary Nest controller: the app's global prefix, guards, interceptors
 * and exception filters apply to it. The transport writes the raw response itself (SSE streams
 * outlive the handler), hence `@Res()`. `McpAuthGuard` checks bearer tokens when `auth` is set.
 */
@UseGuards(McpAuthGuard)
export class McpController {
  constructor(@Inject(StreamableHttpTransport) private readonly transport: StreamableHttpTransport) {}

  @Post()
  post(@Req() request: McpHttpRequest, @Res() response: ServerResponse): Promise<void> {
    return this.transport.handlePost(request, response);
  }

  @Get()
  get(@Req() request: McpHttpRequest, @Res() response: ServerResponse): Promise<void> {
    return this.transport.handleGet(request, response);
  }

  @Delete()
  delete(@Req() request: McpHttpRequest, @Res() response: ServerResponse): Promise<void> {
    return this.transport.handleDelete(request, response);
  }

  @All()
  other(@Res() response: ServerResponse): never {
    response.setHeader('Allow', 'GET, POST, DELETE');
    throw methodNotAllowed();
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
