// Floor: a plain Nest controller, `@Post('mcp')` returning the fixed result object, on the adapter
// MCP_ADAPTER names (express or fastify), like the sample. Nest parses the JSON body and serializes
// the result: what any Nest endpoint costs before MCP does anything.
import 'reflect-metadata';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { ECHO_RESPONSE } from './echo-result.mjs';
import { createNestApp } from './nest-adapter.mjs';

class FloorController {
  call() {
    return ECHO_RESPONSE;
  }
}
Reflect.decorate(
  [Post('mcp'), HttpCode(200)],
  FloorController.prototype,
  'call',
  Object.getOwnPropertyDescriptor(FloorController.prototype, 'call'),
);
Controller()(FloorController);

class FloorModule {}
Module({ controllers: [FloorController] })(FloorModule);

const app = await createNestApp(FloorModule);
await app.listen(Number(process.env.PORT), '127.0.0.1');
