import { Controller, Get, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { McpReadiness } from '@nest-mcp/mcp';

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
  ) {}

  /** A readiness probe: 503 while the instance cannot serve MCP requests. */
  @Get('ready')
  ready(): { ready: true } {
    if (!this.readiness.isReady()) throw new ServiceUnavailableException('not ready');
    return { ready: true };
  }

  @Get()
  get(): { port: number; pid: number; started: string[]; aborted: string[] } {
    return { port: this.state.port, pid: process.pid, started: this.state.started, aborted: this.state.aborted };
  }
}
