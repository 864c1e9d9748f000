import type { IncomingMessage } from 'node:http';
import { TextDecoder } from 'node:util';
import type { JsonRpcRequest } from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import type { McpRegistry } from '../registry/mcp-registry.service.js';
import { header } from './http-rules.js';

/** Methods whose target is mirrored into `Mcp-Name`, and where it comes from in the body. */
const NAME_SOURCES: Readonly<Record<string, 'name' | 'uri' | 'taskId'>> = {
  'tools/call': 'name',
  'resources/read': 'uri',
  'prompts/get': 'name',
  // The tasks extension (SEP-2663) routes task requests by their task.
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const VISIBLE_ASCII = /^[\x20-\x7e\t]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `MCP-Protocol-Version` must be present and equal the version in `_meta` (MCP 2026-07-28
 * `basic/transports/streamable-http`, "Protocol Version Header"); otherwise -32020.
 */
export function checkVersionHeader(request: IncomingMessage, declared: string): void {
  const version = header(request, 'mcp-protocol-version');
  if (version === undefined) throw McpError.headerMismatch(`the MCP-Protocol-Version header is missing; send "${declared}" as in _meta.`);
  if (version !== declared) {
    throw McpError.headerMismatch(`MCP-Protocol-Version header value '${version}' does not match _meta value '${declared}'.`);
  }
}

/**
 * The standard and custom request headers must mirror the body (2026-07-28 "Standard Request
 * Headers", "Custom Headers from Tool Parameters", "Server Validation"): `Mcp-Method` on every
 * request, `Mcp-Name` on `tools/call`, `resources/read` and `prompts/get`, and one `Mcp-Param-*`
 * per argument the tool declares with `x-mcp-header` and the call sets. Values may be
 * `=?base64?…?=`-encoded. Anything missing, malformed or different is refused with -32020.
 */
export function checkStandardHeaders(request: IncomingMessage, message: JsonRpcRequest, registry: McpRegistry): void {
  const method = header(request, 'mcp-method');
  if (method === undefined) throw McpError.headerMismatch(`the Mcp-Method header is missing; send "${message.method}".`);
  if (method !== message.method) {
    throw McpError.headerMismatch(`Mcp-Method header value '${method}' does not match body value '${message.method}'.`);
  }
  const source = NAME_SOURCES[message.method];
  if (source === undefined) return;
  const expected = message.params?.[source];
  const name = readEncoded(request, 'mcp-name', 'Mcp-Name');
  if (name === undefined)
    throw McpError.headerMismatch(`the Mcp-Name header is missing; ${message.method} needs it to carry params.${source}.`);
  if (name !== expected) {
    throw McpError.headerMismatch(`Mcp-Name header value '${name}' does not match body value '${String(expected)}'.`);
  }
  if (message.method === 'tools/call' && typeof expected === 'string') checkParamHeaders(request, message, registry, expected);
}

function checkParamHeaders(request: IncomingMessage, message: JsonRpcRequest, registry: McpRegistry, toolName: string): void {
  const tool = registry.getTool(toolName);
  if (!tool) return;
  const args = message.params?.arguments;
  for (const param of tool.headerParams) {
    const headerName = `Mcp-Param-${param.name}`;
    const value = valueAt(args, param.path);
    const sent = readEncoded(request, headerName.toLowerCase(), headerName);
    const where = `arguments.${param.path.join('.')}`;
    if (value === undefined || value === null) {
      if (sent !== undefined) throw McpError.headerMismatch(`the ${headerName} header is present but ${where} is absent.`);
      continue;
    }
    if (sent === undefined) throw McpError.headerMismatch(`the ${headerName} header is missing; it must carry ${where}.`);
    if (!sameValue(sent, value)) {
      throw McpError.headerMismatch(`${headerName} header value '${sent}' does not match body value '${JSON.stringify(value)}'.`);
    }
  }
}

/** A header value, Base64-decoded when it uses the sentinel; refuses characters a header may not carry. */
function readEncoded(request: IncomingMessage, name: string, display: string): string | undefined {
  const raw = header(request, name);
  if (raw === undefined) return undefined;
  if (!VISIBLE_ASCII.test(raw))
    throw McpError.headerMismatch(`the ${display} header contains characters a header value may not carry; Base64-encode the value.`);
  if (!(raw.startsWith('=?base64?') && raw.endsWith('?=') && raw.length >= '=?base64??='.length)) return raw;
  const encoded = raw.slice('=?base64?'.length, -'?='.length);
  if (!BASE64.test(encoded)) throw McpError.headerMismatch(`the ${display} header is not valid =?base64?…?= (bad characters or padding).`);
  try {
    return utf8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    throw McpError.headerMismatch(`the ${display} header's Base64 value is not UTF-8.`);
  }
}

function valueAt(args: unknown, path: readonly string[]): unknown {
  let current = args;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Header text against a body value: strings exactly, numbers numerically (`42.0` is 42), booleans as `true`/`false`. */
function sameValue(sent: string, value: unknown): boolean {
  if (typeof value === 'string') return sent === value;
  if (typeof value === 'number') return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(sent) && Number(sent) === value;
  if (typeof value === 'boolean') return sent === String(value);
  return false;
}
