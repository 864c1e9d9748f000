import type { ClientInput, ClientInputOptions, ClientInputRequest } from '../dispatch/mcp-context.js';
import type { TaskRunner } from './task-runner.service.js';
import type { TaskState } from './task.types.js';

const KEY_PREFIX: Record<ClientInputRequest['method'], string> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/**
 * How a 2026-07-28 task asks the client (SEP-2663): the questions join the task's `inputRequests`
 * (status `input_required`), the client answers with `tasks/update` on any instance, and the
 * runner, woken by the change, takes the answers and goes on. Keys are never reused within a task.
 */
export class TaskInput implements ClientInput {
  private asked = 0;
  private readonly keys = new Set<string>();

  constructor(
    private readonly taskId: string,
    private readonly tasks: TaskRunner,
  ) {}

  async ask(requests: readonly ClientInputRequest[], options: ClientInputOptions): Promise<Record<string, unknown>[]> {
    const keys = requests.map((request) => {
      const key = request.key !== undefined && !this.keys.has(request.key) ? request.key : `${KEY_PREFIX[request.method]}_${++this.asked}`;
      this.keys.add(key);
      return key;
    });
    const questions = Object.fromEntries(requests.map(({ method, params }, index) => [keys[index], { method, params }]));
    await this.tasks.update(this.taskId, (state) => ({
      ...state,
      status: 'input_required',
      inputRequests: { ...state.inputRequests, ...questions },
    }));
    for (;;) {
      const change = this.tasks.nextChange(this.taskId, options.signal);
      let answers: Record<string, unknown>[] | undefined;
      await this.tasks.update(this.taskId, (state) => {
        answers = takeAnswers(state, keys);
        if (!answers) return undefined;
        const inputResponses = Object.fromEntries(Object.entries(state.inputResponses ?? {}).filter(([key]) => !keys.includes(key)));
        return { ...state, inputResponses };
      });
      if (answers) {
        change.cancel();
        return answers;
      }
      await change.promise;
    }
  }
}

function takeAnswers(state: TaskState, keys: readonly string[]): Record<string, unknown>[] | undefined {
  const responses = state.inputResponses ?? {};
  if (!keys.every((key) => key in responses)) return undefined;
  return keys.map((key) => responses[key] as Record<string, unknown>);
}
