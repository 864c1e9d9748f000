import { Controller, Delete, Get, Param, Req } from '@nestjs/common';
import { McpSessions, type McpSessionInfo } from '@nest-mcp/mcp';

/** The signed-in user's MCP sessions: list them, end one, or end them all (logout everywhere). */
// #region controller
@Controller('account/mcp-sessions')
export class AccountSessionsController {
  constructor(private readonly sessions: McpSessions) {}

  @Get()
  list(@Req() request: { user: { sub: string; iss: string } }): Promise<McpSessionInfo[]> {
    return this.sessions.list({ issuer: request.user.iss, subject: request.user.sub }); // id, clientInfo, createdAt, lastActiveAt
  }

  @Delete()
  async endAll(@Req() request: { user: { sub: string; iss: string } }): Promise<{ ended: number }> {
    return { ended: await this.sessions.endAll({ issuer: request.user.iss, subject: request.user.sub }) };
  }

  @Delete(':id')
  async end(@Req() request: { user: { sub: string; iss: string } }, @Param('id') id: string): Promise<void> {
    const own = await this.sessions.list({ issuer: request.user.iss, subject: request.user.sub });
    if (own.some((session) => session.id === id)) await this.sessions.end(id); // only the user's own
  }
}
// #endregion
