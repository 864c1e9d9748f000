import type { ClientInputRequest } from '../dispatch/mcp-context.js';
import { InputRequiredSignal, InputRound } from './input-round.js';
import { McpError } from './mcp.error.js';
import { digestOf } from './request-state.codec.js';

const elicit = (message: string, key?: string): ClientInputRequest => ({
  ...(key !== undefined && { key }),
  method: 'elicitation/create',
  params: { message, requestedSchema: { type: 'object', properties: {} } },
});
const question = (request: ClientInputRequest) => digestOf({ method: request.method, params: request.params });
const accepted = { action: 'accept', content: { name: 'Ada' } };

describe('InputRound', () => {
  it('ends the round on the first unanswered question, naming it in inputRequests', async () => {
    const round = new InputRound('tools/call', undefined, undefined);
    await expect(round.ask([elicit('Name?')])).rejects.toBeInstanceOf(InputRequiredSignal);
    expect(round.needsInput).toBe(true);
    expect(round.inputRequests()).toEqual({ elicitation_1: { method: 'elicitation/create', params: elicit('Name?').params } });
    expect(round.carriedState()).toEqual({ answers: {}, asked: { elicitation_1: question(elicit('Name?')) } });
  });

  it('answers from inputResponses, and carries the answers used into the next round', async () => {
    const previous = { answers: {}, asked: { elicitation_1: question(elicit('Name?')) } };
    const round = new InputRound('tools/call', previous, { elicitation_1: accepted, unrelated: { action: 'cancel' } });
    expect(await round.ask([elicit('Name?')])).toEqual([accepted]);
    await expect(round.ask([elicit('Mood?')])).rejects.toBeInstanceOf(InputRequiredSignal);
    expect(round.carriedState()).toEqual({
      answers: { elicitation_1: { question: question(elicit('Name?')), result: accepted } },
      asked: { elicitation_2: question(elicit('Mood?')) },
    });
  });

  it('uses an earlier answer only for the same question, and an inputResponse only for what was asked under its key', async () => {
    const earlier = {
      answers: { elicitation_1: { question: question(elicit('Name?')), result: accepted } },
      asked: { elicitation_2: 'other' },
    };
    const round = new InputRound('tools/call', earlier, { elicitation_2: accepted });
    await expect(round.ask([elicit('A different first question?')])).rejects.toBeInstanceOf(InputRequiredSignal);
    const second = new InputRound('tools/call', earlier, { elicitation_2: accepted });
    expect(await second.ask([elicit('Name?')])).toEqual([accepted]);
    await expect(second.ask([elicit('Mood?')])).rejects.toBeInstanceOf(InputRequiredSignal);
  });

  it('takes answers to named questions without state, and asks all missing ones of a batch at once', async () => {
    const round = new InputRound('prompts/get', undefined, { user_name: accepted });
    await expect(round.ask([elicit('Name?', 'user_name'), elicit('Mood?', 'mood')])).rejects.toBeInstanceOf(InputRequiredSignal);
    expect(Object.keys(round.inputRequests())).toEqual(['mood']);
    expect(Object.keys(round.carriedState().answers)).toEqual(['user_name']);
  });

  it('refuses an answer that is not a result of the method, and a key asked twice', async () => {
    const invalid = new InputRound('tools/call', undefined, { a: 12345, b: { roots: [{ name: 'no uri' }] } });
    await expect(invalid.ask([elicit('x', 'a')])).rejects.toMatchObject({ code: -32602 });
    await expect(invalid.ask([{ key: 'b', method: 'roots/list', params: {} }])).rejects.toMatchObject({ code: -32602 });
    const twice = new InputRound('tools/call', undefined, { k: accepted });
    await twice.ask([elicit('x', 'k')]);
    await expect(twice.ask([elicit('y', 'k')])).rejects.toMatchObject({ code: -32603, message: expect.stringContaining('"k"') });
  });

  it('refuses input on methods that cannot answer input_required', async () => {
    const round = new InputRound('completion/complete', undefined, undefined);
    const failure = round.ask([elicit('x')]);
    await expect(failure).rejects.toBeInstanceOf(McpError);
    await expect(failure).rejects.not.toBeInstanceOf(InputRequiredSignal);
    expect(round.needsInput).toBe(false);
  });
});
