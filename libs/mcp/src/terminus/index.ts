/** `@nestjs/terminus` integration (needs `@nestjs/terminus`): provide `McpHealthIndicator` next to `TerminusModule`. */
export { McpHealthIndicator } from './mcp-health.indicator.js';
