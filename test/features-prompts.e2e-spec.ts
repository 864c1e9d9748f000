import { Injectable, NotFoundException } from '@nestjs/common';
import {
  embeddedResource,
  image,
  McpCompletion,
  McpPrompt,
  McpResourceTemplate,
  text,
  type McpContext,
  type McpResourceRequest,
  type PromptMessage,
} from '@nest-mcp/mcp';
import { z } from 'zod';
import { errorCode, startMcpApp, type McpTestApp, type SdkSession } from './support/sdk-session.js';
import { RecordingLogger } from './support/recording-logger.js';

const PIXEL = Buffer.from('89504e470d0a1a0a', 'hex');

/** An ordinary injected service the completion methods read from. */
@Injectable()
class Catalog {
  readonly languages = ['english', 'esperanto', 'french', 'german'];
  readonly shelves: Record<string, string[]> = { fiction: ['Emma', 'Persuasion', 'War and Peace'], poetry: ['Odes'] };
}

const GreetArguments = z.object({
  name: z.string().min(2).describe('Who to greet'),
  language: z.string().optional().describe('Language of the greeting'),
});

@Injectable()
class Prompts {
  constructor(private readonly catalog: Catalog) {}

  @McpPrompt({
    name: 'greet',
    title: 'Greeting',
    description: 'Greets someone',
    arguments: GreetArguments,
    complete: { name: (value) => ['Ada', 'Alan', 'Grace'].filter((name) => name.startsWith(value)) },
  })
  greet({ name, language }: z.infer<typeof GreetArguments>): string {
    return `Say hello to ${name}${language ? ` in ${language}` : ''}.`;
  }

  @McpCompletion({ prompt: 'greet', argument: 'language' })
  @McpCompletion({ prompt: 'translate', argument: 'to' })
  languages(value: string): string[] {
    return this.catalog.languages.filter((language) => language.startsWith(value));
  }

  @McpPrompt({ name: 'translate', description: 'Translates text', arguments: [{ name: 'to', required: true }] })
  translate({ to }: { to: string }): string {
    return `Translate the text into ${to}.`;
  }

  @McpPrompt({
    name: 'review',
    description: 'Reviews a piece of code',
    arguments: [
      { name: 'code', description: 'Code to review', required: true },
      {
        name: 'focus',
        description: 'What to look at',
        complete: (value, { arguments: context }) =>
          (context.code?.includes('eval') ? ['security', 'style'] : ['style', 'speed']).filter((focus) => focus.startsWith(value)),
      },
    ],
  })
  review({ code, focus }: { code: string; focus?: string }): PromptMessage[] {
    return [
      { role: 'user', content: text(`Review this code${focus ? ` for ${focus}` : ''}:\n${code}`) },
      { role: 'assistant', content: text('Looking at it now.') },
    ];
  }

  @McpPrompt({ name: 'describe_pixel', description: 'Describes an image' })
  describePixel() {
    return {
      description: 'One pixel',
      messages: [
        { role: 'user', content: image(PIXEL, 'image/png', { audience: ['user'], priority: 0.5 }) },
        { role: 'user', content: text('What is in this image?') },
      ],
    };
  }

  @McpPrompt({ name: 'explain_docs', description: 'Explains embedded documents' })
  explainDocs(_args: unknown, ctx: McpContext): PromptMessage[] {
    return [
      { role: 'user', content: embeddedResource('library://readme', `# Read me (for ${ctx.auth.subject})`, 'text/markdown') },
      { role: 'user', content: embeddedResource('library://logo.png', PIXEL, 'image/png') },
    ];
  }

  @McpPrompt({ name: 'lookup', description: 'Fails the way handlers do', arguments: [{ name: 'id', required: true }] })
  lookup({ id }: { id: string }): string {
    if (id === 'crash') throw new Error('db password is hunter2');
    throw new NotFoundException(`No entry ${id}.`);
  }

  @McpPrompt({ name: 'many', description: 'Has an argument with many suggestions', arguments: [{ name: 'n' }, { name: 'plain' }] })
  many(): string {
    return 'many';
  }

  @McpCompletion({ prompt: 'many', argument: 'n' })
  numbers(): string[] {
    return Array.from({ length: 150 }, (_, n) => `${n}`);
  }

  @McpResourceTemplate({
    uriTemplate: 'library://books/{shelf}/{title}',
    name: 'book',
    complete: {
      title: (value, { arguments: context }) =>
        Object.entries({ fiction: ['Emma', 'Persuasion', 'War and Peace'], poetry: ['Odes'] })
          .filter(([shelf]) => !context.shelf || shelf === context.shelf)
          .flatMap(([, titles]) => titles)
          .filter((title) => title.toLowerCase().startsWith(value.toLowerCase())),
    },
  })
  book({ variables }: McpResourceRequest): string {
    return variables.title;
  }

  @McpCompletion({ resourceTemplate: 'library://books/{shelf}/{title}', argument: 'shelf' })
  shelves(value: string): string[] {
    return Object.keys(this.catalog.shelves).filter((shelf) => shelf.startsWith(value));
  }
}

/** Prompts only: nothing completes. */
@Injectable()
class PlainPrompts {
  @McpPrompt({ name: 'hello', description: 'Says hello', arguments: [{ name: 'who', required: true }] })
  hello({ who }: { who: string }): string {
    return `hello ${who}`;
  }
}

// One app serves both groups: prompts and their completions.
let app: McpTestApp;
let session: SdkSession;
const logger = new RecordingLogger();

beforeAll(async () => {
  app = await startMcpApp({ providers: [Catalog, Prompts], logger });
  session = await app.connect({ listen: false });
});

afterAll(() => app.close());

describe('prompts', () => {
  it('lists prompts by name; zod-declared arguments become an argument list with descriptions and required flags', async () => {
    const { prompts } = await session.client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual([
      'describe_pixel',
      'explain_docs',
      'greet',
      'lookup',
      'many',
      'review',
      'translate',
    ]);
    expect(prompts[2]).toEqual({
      name: 'greet',
      title: 'Greeting',
      description: 'Greets someone',
      arguments: [
        { name: 'name', description: 'Who to greet', required: true },
        { name: 'language', description: 'Language of the greeting', required: false },
      ],
    });
  });

  it('lists list-declared arguments as given, without their completion functions', async () => {
    const { prompts } = await session.client.listPrompts();
    expect(prompts[5]).toEqual({
      name: 'review',
      description: 'Reviews a piece of code',
      arguments: [
        { name: 'code', description: 'Code to review', required: true },
        { name: 'focus', description: 'What to look at' },
      ],
    });
    expect(prompts[0]).toEqual({ name: 'describe_pixel', description: 'Describes an image' });
  });

  it('gets a prompt with arguments: a returned string is one user text message', async () => {
    expect(await session.client.getPrompt({ name: 'greet', arguments: { name: 'Ada', language: 'french' } })).toEqual({
      description: 'Greets someone',
      messages: [{ role: 'user', content: { type: 'text', text: 'Say hello to Ada in french.' } }],
    });
  });

  it('returns a list of messages from both roles', async () => {
    const result = await session.client.getPrompt({ name: 'review', arguments: { code: 'x = 1', focus: 'style' } });
    expect(result.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Review this code for style:\nx = 1' } },
      { role: 'assistant', content: { type: 'text', text: 'Looking at it now.' } },
    ]);
  });

  it('returns image content', async () => {
    expect(await session.client.getPrompt({ name: 'describe_pixel' })).toEqual({
      description: 'One pixel',
      messages: [
        {
          role: 'user',
          content: {
            type: 'image',
            data: PIXEL.toString('base64'),
            mimeType: 'image/png',
            annotations: { audience: ['user'], priority: 0.5 },
          },
        },
        { role: 'user', content: { type: 'text', text: 'What is in this image?' } },
      ],
    });
  });

  it('returns embedded text and blob resources', async () => {
    const { messages } = await session.client.getPrompt({ name: 'explain_docs' });
    expect(messages.map((message) => message.content)).toEqual([
      { type: 'resource', resource: { uri: 'library://readme', mimeType: 'text/markdown', text: '# Read me (for anonymous)' } },
      { type: 'resource', resource: { uri: 'library://logo.png', mimeType: 'image/png', blob: PIXEL.toString('base64') } },
    ]);
  });

  it('answers bad or missing arguments and unknown prompts with -32602', async () => {
    const get = (name: string, args?: Record<string, unknown>) =>
      errorCode(session.client.getPrompt({ name, arguments: args as Record<string, string> }));
    expect(await get('greet', {})).toBe(-32602); // missing required (zod)
    expect(await get('greet', { name: 'A' })).toBe(-32602); // fails the zod check
    expect(await get('greet', { name: 42 })).toBe(-32602); // not a string
    expect(await get('review', { focus: 'style' })).toBe(-32602); // missing required (list)
    expect(await get('nope')).toBe(-32602);
  });

  it('answers a Nest 4xx thrown by the prompt with -32602 and its message, anything else with a bare -32603', async () => {
    await expect(session.client.getPrompt({ name: 'lookup', arguments: { id: '7' } })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Invalid arguments for prompt lookup: No entry 7.'),
    });
    const crash = session.client.getPrompt({ name: 'lookup', arguments: { id: 'crash' } });
    await expect(crash).rejects.toMatchObject({ code: -32603 });
    await expect(crash).rejects.not.toMatchObject({ message: expect.stringContaining('hunter2') });
    expect(logger.errors).toContainEqual(
      expect.stringMatching(/^prompts\/get failed\nError: db password is hunter2\n\s+at Prompts\.lookup/),
    );
  });
});

describe('completion', () => {
  const complete = async (
    ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string },
    name: string,
    value: string,
    context?: Record<string, string>,
  ) => (await session.client.complete({ ref, argument: { name, value }, ...(context && { context: { arguments: context } }) })).completion;

  const prompt = (name: string) => ({ type: 'ref/prompt' as const, name });
  const books = { type: 'ref/resource' as const, uri: 'library://books/{shelf}/{title}' };

  it('advertises the completions capability', () => {
    expect(session.client.getServerCapabilities()?.completions).toEqual({});
  });

  it("completes a prompt argument from the prompt's complete option", async () => {
    expect(await complete(prompt('greet'), 'name', 'A')).toEqual({ values: ['Ada', 'Alan'], total: 2, hasMore: false });
  });

  it('completes a prompt argument from an @McpCompletion method using an injected service', async () => {
    expect(await complete(prompt('greet'), 'language', 'e')).toEqual({ values: ['english', 'esperanto'], total: 2, hasMore: false });
  });

  it('registers every target of a method with several @McpCompletion decorators', async () => {
    expect((await complete(prompt('translate'), 'to', 'g')).values).toEqual(['german']);
  });

  it('completes a list-declared argument, with the other arguments as context', async () => {
    expect((await complete(prompt('review'), 'focus', 's')).values).toEqual(['style', 'speed']);
    expect((await complete(prompt('review'), 'focus', 's', { code: 'eval(input)' })).values).toEqual(['security', 'style']);
  });

  it('completes resource template variables (complete option with context, and @McpCompletion)', async () => {
    expect((await complete(books, 'shelf', 'f')).values).toEqual(['fiction']);
    expect((await complete(books, 'title', 'e')).values).toEqual(['Emma']);
    expect((await complete(books, 'title', 'o', { shelf: 'poetry' })).values).toEqual(['Odes']);
  });

  it('sends at most 100 values, with the total and hasMore', async () => {
    const completion = await complete(prompt('many'), 'n', '');
    expect(completion.values).toHaveLength(100);
    expect(completion).toMatchObject({ total: 150, hasMore: true });
  });

  it('answers an argument without completion with no values', async () => {
    expect(await complete(prompt('many'), 'plain', 'x')).toEqual({ values: [] });
  });

  it('answers an unknown prompt or template with -32602', async () => {
    expect(await errorCode(complete(prompt('nope'), 'x', ''))).toBe(-32602);
    expect(await errorCode(complete({ type: 'ref/resource', uri: 'library://nope/{x}' }, 'x', ''))).toBe(-32602);
  });

  it('is not advertised by an app where nothing completes', async () => {
    const plain = await startMcpApp({ providers: [PlainPrompts] });
    try {
      const other = await plain.connect({ listen: false });
      expect(other.client.getServerCapabilities()?.prompts).toBeDefined();
      expect(other.client.getServerCapabilities()).not.toHaveProperty('completions');
    } finally {
      await plain.close();
    }
  });
});
