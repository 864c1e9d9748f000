import { Controller, Get, Inject, Injectable, Param, Post, Query, ServiceUnavailableException } from '@nestjs/common';
import { McpReadiness, McpSessions, SessionHost, type McpSessionInfo } from '@nest-mcp/mcp';

/** What the tools of this instance did, for the multi-instance tests to check per process. */
@Injectable()
export class InstanceState {
  readonly port = Number(process.env.PORT);
  /** Markers of `block` calls that started here. */
  readonly started: string[] = [];
  /** Markers of `block` calls whose signal was aborted here. */
  readonly aborted: string[] = [];
}

@Controller('instance')
export class InstanceStateController {
  constructor(
    private readonly state: InstanceState,
    private readonly readiness: McpReadiness,
    @Inject(SessionHost) private readonly host: SessionHost,
    private readonly sessions: McpSessions,
  ) {}

  /** An admin screen's list: the sessions of the user named `subject`. */
  @Get('sessions')
  list(@Query('subject') subject: string): Promise<McpSessionInfo[]> {
    return this.sessions.list({ subject });
  }

  /** Logout everywhere: ends every session of the user named `subject`. */
  @Post('sessions/end-all')
  async endAll(@Query('subject') subject: string): Promise<{ ended: number }> {
    return { ended: await this.sessions.endAll({ subject }) };
  }

  @Post('sessions/:id/end')
  async end(@Param('id') id: string): Promise<{ ended: boolean }> {
    return { ended: await this.sessions.end(id) };
  }

  /** A readiness probe: 503 while the instance cannot serve MCP requests. */
  @Get('ready')
  ready(): { ready: true } {
    if (!this.readiness.isReady()) throw new ServiceUnavailableException('not ready');
    return { ready: true };
  }

  /** Whether the session host's connection is up, as the instance sees it now. */
  @Get('host')
  hostConnection(): { connected: boolean } {
    return { connected: this.host.connection?.connected ?? true };
  }

  @Get()
  get(): { port: number; pid: number; started: string[]; aborted: string[] } {
    return { port: this.state.port, pid: process.pid, started: this.state.started, aborted: this.state.aborted };
  }
}
