// The sample's AppModule (same options, same environment variables) plus one bench-only route,
// POST /bench/notify-all, that raises a notifyAll of `notifications/resources/list_changed` and
// answers once it is logged for every listening session: the fan-out scenario's trigger.
import 'reflect-metadata';
import { Controller, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { McpSessionEvents } from '@nest-mcp/mcp';
import { AppModule } from '../../apps/sample/dist/app.module.js';
import { createNestApp } from './nest-adapter.mjs';

class NotifyController {
  constructor(events) {
    this.events = events;
  }

  async notifyAll() {
    await this.events.notifyAll({ method: 'notifications/resources/list_changed' });
    return { ok: true };
  }
}
Inject(McpSessionEvents)(NotifyController, undefined, 0);
Reflect.decorate(
  [Post('notify-all'), HttpCode(200)],
  NotifyController.prototype,
  'notifyAll',
  Object.getOwnPropertyDescriptor(NotifyController.prototype, 'notifyAll'),
);
Controller('bench')(NotifyController);

class NotifyModule {}
Module({ imports: [AppModule], controllers: [NotifyController] })(NotifyModule);

const app = await createNestApp(NotifyModule);
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT), '127.0.0.1');
