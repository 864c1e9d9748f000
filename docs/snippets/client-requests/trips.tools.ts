import { Injectable } from '@nestjs/common';
import { McpTool, McpToolError, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';

/** Books trips; the booking itself is elsewhere. */
@Injectable()
export class TripsService {
  async book(traveller: string, destination: string): Promise<string> {
    return `${traveller} goes to ${destination}`;
  }
}

@Injectable()
export class TripsTools {
  constructor(private readonly trips: TripsService) {}

  // #region elicit
  @McpTool({ name: 'book_trip', description: 'Books a trip after asking the traveller.', input: z.object({ destination: z.string() }) })
  async bookTrip({ destination }: { destination: string }, ctx: McpContext) {
    const answer = await ctx.elicit({
      message: `Who travels to ${destination}?`,
      requestedSchema: z.object({ name: z.string().describe('Traveller name') }), // the answer is validated and typed
    });
    if (answer.action !== 'accept') return 'Cancelled.';
    return this.trips.book(answer.content!.name, destination); // after the last question: runs once in both eras
  }
  // #endregion

  // #region sample
  @McpTool({ name: 'suggest_destination', description: "Asks the client's model for a destination." })
  async suggest(_args: unknown, ctx: McpContext) {
    const reply = await ctx.sample({
      messages: [{ role: 'user', content: { type: 'text', text: 'Name one city worth a weekend trip.' } }],
      maxTokens: 50,
    });
    const text = [reply.content].flat().flatMap((block) => (block.type === 'text' ? [block.text] : []));
    if (!text.length) throw new McpToolError('The model did not answer with text.'); // the model sees this message
    return text.join('\n');
  }
  // #endregion

  // #region request-inputs
  @McpTool({ name: 'plan_trip', description: 'Asks the traveller and reads the client roots in one round.' })
  async planTrip(_args: unknown, ctx: McpContext) {
    const { traveller, roots } = await ctx.requestInputs({
      traveller: { elicit: { message: 'Who travels?', requestedSchema: z.object({ name: z.string() }) } },
      roots: { listRoots: true },
    });
    if (traveller.action !== 'accept') return 'Cancelled.';
    return this.trips.book(traveller.content!.name, `${roots.length} roots`); // runs once: after the last question
  }
  // #endregion
}
