import 'reflect-metadata';
import { McpStdio } from '@nest-mcp/mcp';
import { AppModule } from './app.module.js';

// The same module as main.ts, served over stdin/stdout to a desktop client that starts this process.
await McpStdio.run(AppModule);
