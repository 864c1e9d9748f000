import { Injectable } from '@nestjs/common';
import { McpTool } from '@nest-mcp/mcp';
import { z } from 'zod';
import { AppService } from './app.service.js';

@Injectable()
export class GreetingTools {
  constructor(private readonly appService: AppService) {}

  @McpTool({
    name: 'greet',
    description: 'Greets someone by name.',
    input: z.object({ name: z.string().min(1).describe('Who to greet') }),
  })
  greet({ name }: { name: string }): string {
    return this.appService.greet(name);
  }
}
