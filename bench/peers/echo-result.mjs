// What the floors answer to every POST: the JSON-RPC response of the bench's `tools/call` of `echo`
// in a 2025 session, byte for byte as the sample sends it.
export const ECHO_RESPONSE = { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'hello' }] } };
