import { RequestMethod } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { resolveMcpOptions, type McpModuleOptions } from '../mcp.options.js';
import { AuthConfigurationError } from './auth.errors.js';
import { ProtectedResource, type RequestLike } from './protected-resource.js';

function resource(options: Partial<McpModuleOptions> = {}, path = '/mcp', prefix = '', exclude: string[] = []) {
  const config = new ApplicationConfig();
  config.setGlobalPrefix(prefix);
  config.setGlobalPrefixOptions({
    exclude: exclude.map((route) => ({ path: route, requestMethod: RequestMethod.ALL, pathRegex: new RegExp(`^/${route}$`) })),
  });
  const resolved = resolveMcpOptions({
    name: 'notes',
    version: '1',
    auth: { issuer: 'https://id.example', audience: 'a', scopesSupported: ['s'] },
    ...options,
  });
  return new ProtectedResource(resolved, path, config);
}

const request = (headers: Record<string, string>, encrypted = false): RequestLike => ({
  headers,
  socket: { encrypted, localAddress: '10.0.0.5', localPort: 8080 },
});

describe('ProtectedResource', () => {
  it('builds the resource and metadata URLs from Host and the connection', () => {
    const prm = resource();
    expect(prm.resourceUrl(request({ host: 'MCP.Example.com:8443' }, true))).toBe('https://mcp.example.com:8443/mcp');
    expect(prm.metadataUrl(request({ host: 'mcp.example.com' }))).toBe('http://mcp.example.com/.well-known/oauth-protected-resource/mcp');
  });

  it('falls back to the local address when Host is missing or not a host', () => {
    expect(resource().origin(request({}))).toBe('http://10.0.0.5:8080');
    expect(resource().origin(request({ host: 'evil.example/"><' }))).toBe('http://10.0.0.5:8080');
    expect(resource().origin({ headers: {}, socket: { localAddress: '::1', localPort: 1 } })).toBe('http://[::1]:1');
  });

  it('reads the Fastify raw request', () => {
    expect(resource().origin({ headers: {}, raw: request({ host: 'raw.example' }) })).toBe('http://raw.example');
  });

  it('adds the global prefix unless the endpoint is excluded from it', () => {
    expect(resource({}, '/mcp', '/api/').endpointPath).toBe('/api/mcp');
    expect(resource({}, '/mcp', 'api', ['mcp']).endpointPath).toBe('/mcp');
    expect(resource({}, '/', 'v1').endpointPath).toBe('/v1');
    expect(resource({}, '/').endpointPath).toBe('/');
  });

  it('serves the path form and the root form, and the root endpoint only at the root', () => {
    expect(resource().metadataPaths()).toEqual(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']);
    expect(resource({}, '/').metadataPaths()).toEqual(['/.well-known/oauth-protected-resource']);
    expect(resource({}, '/', '').resourceUrl(request({ host: 'h' }))).toBe('http://h');
  });

  it('uses publicUrl, with its path as a base path', () => {
    const prm = resource({ publicUrl: 'https://public.example/base/', trustProxy: true });
    const from = request({ host: 'internal:3000', 'x-forwarded-host': 'ignored.example' });
    expect(prm.resourceUrl(from)).toBe('https://public.example/base/mcp');
    expect(prm.metadataUrl(from)).toBe('https://public.example/.well-known/oauth-protected-resource/base/mcp');
    expect(prm.metadataPaths()).toEqual([
      '/.well-known/oauth-protected-resource/base/mcp',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]);
  });

  it('refuses a publicUrl that is not an http(s) URL', () => {
    expect(() => resource({ publicUrl: 'mcp.example.com' })).toThrow(AuthConfigurationError);
    expect(() => resource({ publicUrl: 'ftp://mcp.example.com' })).toThrow(AuthConfigurationError);
  });

  it('trusts forwarded headers only with trustProxy, and only sane values', () => {
    const headers = { host: 'internal:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example' };
    expect(resource().origin(request(headers))).toBe('http://internal:3000');
    expect(resource({ trustProxy: true }).origin(request(headers))).toBe('https://public.example');
    expect(resource({ trustProxy: true }).origin(request({ host: 'h', 'x-forwarded-proto': 'gopher' }))).toBe('http://h');
    expect(resource({ trustProxy: true }).origin(request({ host: 'h', forwarded: 'proto=https;host=a.example' }))).toBe(
      'https://a.example',
    );
  });

  it('describes the resource (RFC 9728 §2)', () => {
    expect(
      resource({
        auth: { issuer: 'https://id.example', audience: 'a', documentation: 'https://docs.example', resourceName: 'Notes' },
      }).metadata(request({ host: 'h' })),
    ).toStrictEqual({
      resource: 'http://h/mcp',
      authorization_servers: ['https://id.example'],
      bearer_methods_supported: ['header'],
      resource_name: 'Notes',
      resource_documentation: 'https://docs.example',
    });
  });
});
