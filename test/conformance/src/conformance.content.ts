import { Injectable } from '@nestjs/common';
import { embeddedResource, image, McpPrompt, McpResource, McpResourceTemplate, text, type McpResourceRequest } from '@nest-mcp/mcp';
import { z } from 'zod';
import { RED_PIXEL_PNG } from './conformance.tools.js';

/** The resources and prompts the conformance suite reads, with the names and texts it expects. */
@Injectable()
export class ConformanceContent {
  @McpResource({ uri: 'test://static-text', name: 'Static text', description: 'A static text resource', mimeType: 'text/plain' })
  staticText(): string {
    return 'This is the content of the static text resource.';
  }

  @McpResource({ uri: 'test://static-binary', name: 'Static binary', description: 'A static PNG', mimeType: 'image/png' })
  staticBinary(): Buffer {
    return Buffer.from(RED_PIXEL_PNG, 'base64');
  }

  @McpResource({ uri: 'test://watched-resource', name: 'Watched', description: 'A resource clients subscribe to', mimeType: 'text/plain' })
  watched(): string {
    return 'Watched resource content.';
  }

  @McpResourceTemplate({
    uriTemplate: 'test://template/{id}/data',
    name: 'Template data',
    description: 'Data for one id',
    mimeType: 'application/json',
  })
  templateData({ variables }: McpResourceRequest) {
    return { id: variables.id, templateTest: true, data: `Data for ID: ${variables.id}` };
  }

  @McpPrompt({ name: 'test_simple_prompt', description: 'A prompt without arguments' })
  simplePrompt(): string {
    return 'This is a simple prompt for testing.';
  }

  @McpPrompt({
    name: 'test_prompt_with_arguments',
    description: 'A prompt with two arguments',
    arguments: z.object({ arg1: z.string().describe('First test argument'), arg2: z.string().describe('Second test argument') }),
    complete: { arg1: (value) => ['paris', 'park', 'party'].filter((word) => word.startsWith(value)) },
  })
  withArguments({ arg1, arg2 }: { arg1: string; arg2: string }): string {
    return `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`;
  }

  @McpPrompt({
    name: 'test_prompt_with_embedded_resource',
    description: 'A prompt that embeds a resource',
    arguments: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
  })
  withEmbeddedResource({ resourceUri }: { resourceUri: string }) {
    return [
      { role: 'user' as const, content: embeddedResource(resourceUri, 'Embedded resource content for testing.', 'text/plain') },
      { role: 'user' as const, content: text('Please process the embedded resource above.') },
    ];
  }

  @McpPrompt({ name: 'test_prompt_with_image', description: 'A prompt with an image' })
  withImage() {
    return [
      { role: 'user' as const, content: image(RED_PIXEL_PNG, 'image/png') },
      { role: 'user' as const, content: text('Please analyze the image above.') },
    ];
  }
}
