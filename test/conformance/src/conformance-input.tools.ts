import { Injectable } from '@nestjs/common';
import { McpPrompt, McpRegistry, McpTool, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';

const textOf = (content: unknown): string => {
  const block = Array.isArray(content) ? content[0] : content;
  return typeof block === 'object' && block !== null && 'text' in block ? String(block.text) : JSON.stringify(block);
};

/**
 * Tools and a prompt the 2026-07-28 scenarios call: client input through `ctx` (one handler for
 * both eras: requests on the stream in a session, `input_required` rounds when stateless), the
 * diagnostics of `server-stateless`, and the triggers of list changes.
 */
@Injectable()
export class ConformanceInputTools {
  constructor(private readonly registry: McpRegistry) {}

  @McpTool({ name: 'test_missing_capability', description: 'Needs the client sampling capability.' })
  async missingCapability(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'Say hi.' } }], maxTokens: 10 });
    return textOf(answer.content);
  }

  @McpTool({ name: 'test_streaming_elicitation', description: 'Asks the user for input while it runs.' })
  async streamingElicitation(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: 'Continue?', requestedSchema: z.object({ ok: z.boolean() }) });
    return `Answered ${answer.action}.`;
  }

  @McpTool({ name: 'test_logging_tool', description: 'Logs at every level; the client only gets what it asked for.' })
  async logging(_args: unknown, ctx: McpContext): Promise<string> {
    await ctx.log('debug', 'debug detail');
    await ctx.log('info', 'working');
    await ctx.log('error', 'something to see');
    return 'Logged.';
  }

  @McpTool({ name: 'test_trigger_tool_change', description: 'Adds or removes a tool, so the tool list changes.' })
  triggerToolChange(): string {
    if (this.registry.removeTool('test_dynamic_tool')) return 'Removed test_dynamic_tool.';
    this.registry.addTool({ name: 'test_dynamic_tool', description: 'Appears and disappears.', handler: () => 'dynamic' });
    return 'Added test_dynamic_tool.';
  }

  @McpTool({ name: 'test_trigger_prompt_change', description: 'Adds or removes a prompt, so the prompt list changes.' })
  triggerPromptChange(): string {
    if (this.registry.removePrompt('test_dynamic_prompt')) return 'Removed test_dynamic_prompt.';
    this.registry.addPrompt({ name: 'test_dynamic_prompt', description: 'Appears and disappears.', handler: () => 'dynamic' });
    return 'Added test_dynamic_prompt.';
  }

  @McpTool({ name: 'test_input_required_result_elicitation', description: 'Asks for the user name.' })
  async elicitation(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit(
      { message: 'What is your name?', requestedSchema: z.object({ name: z.string() }) },
      { key: 'user_name' },
    );
    return answer.action === 'accept' ? `Hello, ${answer.content!.name}!` : `No name (${answer.action}).`;
  }

  @McpTool({ name: 'test_input_required_result_sampling', description: 'Asks the client model a question.' })
  async sampling(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.sample(
      { messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }], maxTokens: 100 },
      { key: 'capital_question' },
    );
    return `The model said: ${textOf(answer.content)}`;
  }

  @McpTool({ name: 'test_input_required_result_list_roots', description: 'Reads the client roots.' })
  async listRoots(_args: unknown, ctx: McpContext): Promise<string> {
    const roots = await ctx.listRoots({ key: 'client_roots' });
    return `Roots: ${roots.map((root) => root.uri).join(', ')}`;
  }

  @McpTool({ name: 'test_input_required_result_request_state', description: 'Asks for a confirmation carried in requestState.' })
  async requestState(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: 'Please confirm', requestedSchema: z.object({ ok: z.boolean() }) }, { key: 'confirm' });
    return answer.content?.ok ? 'state-ok' : 'not confirmed';
  }

  @McpTool({ name: 'test_input_required_result_multiple_inputs', description: 'Asks three questions in one round.' })
  async multipleInputs(_args: unknown, ctx: McpContext): Promise<string> {
    const { user_name, greeting, client_roots } = await ctx.requestInputs({
      user_name: { elicit: { message: 'What is your name?', requestedSchema: z.object({ name: z.string() }) } },
      greeting: { sample: { messages: [{ role: 'user', content: { type: 'text', text: 'Say hello.' } }], maxTokens: 50 } },
      client_roots: { listRoots: true },
    });
    return `${user_name.content?.name}: ${textOf(greeting.content)} (${client_roots.length} roots)`;
  }

  @McpTool({ name: 'test_input_required_result_multi_round', description: 'Asks two questions, one round each.' })
  async multiRound(_args: unknown, ctx: McpContext): Promise<string> {
    const name = await ctx.elicit(
      { message: 'Step 1: What is your name?', requestedSchema: z.object({ name: z.string() }) },
      { key: 'step1' },
    );
    const color = await ctx.elicit(
      { message: 'Step 2: What is your favorite color?', requestedSchema: z.object({ color: z.string() }) },
      { key: 'step2' },
    );
    return `${name.content?.name} likes ${color.content?.color}.`;
  }

  @McpTool({ name: 'test_input_required_result_tampered_state', description: 'Asks for a confirmation; refuses altered state.' })
  async tamperedState(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: 'Please confirm', requestedSchema: z.object({ ok: z.boolean() }) }, { key: 'confirm' });
    return `Confirmed: ${answer.content?.ok === true}`;
  }

  @McpTool({ name: 'test_input_required_result_capabilities', description: 'Asks only what the client declared it can answer.' })
  async capabilities(_args: unknown, ctx: McpContext): Promise<string> {
    const parts: string[] = [];
    if (ctx.clientCapabilities.elicitation) {
      const answer = await ctx.elicit({ message: 'Your name?', requestedSchema: z.object({ name: z.string() }) });
      parts.push(`name=${answer.content?.name}`);
    }
    if (ctx.clientCapabilities.sampling) {
      const answer = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'Pick a number.' } }], maxTokens: 10 });
      parts.push(`model=${textOf(answer.content)}`);
    }
    return parts.join(', ') || 'Nothing to ask.';
  }

  @McpPrompt({ name: 'test_input_required_result_prompt', description: 'A prompt that asks the user for context first.' })
  async prompt(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit(
      { message: 'What context should the prompt use?', requestedSchema: z.object({ context: z.string() }) },
      { key: 'user_context' },
    );
    return `Use this context: ${answer.content?.context ?? 'none'}`;
  }
}
