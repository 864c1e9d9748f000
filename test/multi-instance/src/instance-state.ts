import { Controller, Get, Injectable } from '@nestjs/common';

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
  constructor(private readonly state: InstanceState) {}

  @Get()
  get(): { port: number; pid: number; started: string[]; aborted: string[] } {
    return { port: this.state.port, pid: process.pid, started: this.state.started, aborted: this.state.aborted };
  }
}
