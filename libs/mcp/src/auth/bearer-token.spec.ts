import { InvalidAuthRequestError, MissingCredentialsError } from './auth.errors.js';
import { readBearerToken } from './bearer-token.js';

const request = (authorization?: string, url = '/mcp') => ({ url, headers: authorization === undefined ? {} : { authorization } });

describe('readBearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER  abc-_.~+/==', 'abc-_.~+/=='],
    ['  Bearer abc  ', 'abc'],
  ])('reads %j', (header, token) => {
    expect(readBearerToken(request(header))).toBe(token);
  });

  it.each([undefined, '', '   ', 'Basic YWxpY2U6cHc=', 'DPoP abc'])('treats %j as no bearer credentials (401 without error)', (header) => {
    expect(() => readBearerToken(request(header))).toThrow(MissingCredentialsError);
  });

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a"b', 'Bearer =abc', 'Bearer a,b', 'eyJhbGciOi.e30.sig', 'Basic'])(
    'refuses %j as malformed (400 invalid_request)',
    (header) => {
      const error = (() => {
        try {
          readBearerToken(request(header));
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(InvalidAuthRequestError);
      expect((error as InvalidAuthRequestError).getStatus()).toBe(400);
      expect((error as InvalidAuthRequestError).bearerError).toBe('invalid_request');
    },
  );

  it('refuses access_token in the query string, even with a valid header', () => {
    expect(() => readBearerToken(request('Bearer abc', '/mcp?x=1&access_token=abc'))).toThrow(InvalidAuthRequestError);
    expect(() => readBearerToken(request(undefined, '/mcp?access_token=abc'))).toThrow(InvalidAuthRequestError);
    expect(readBearerToken(request('Bearer abc', '/mcp?not_access_token_param=1'))).toBe('abc');
  });
});
