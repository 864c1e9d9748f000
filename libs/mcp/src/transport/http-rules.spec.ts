import { accepts, isJsonContentType } from './http-rules.js';

describe('accepts', () => {
  it('answers per media type for the same Accept header', () => {
    const header = 'application/json, text/event-stream;q=0';
    expect(accepts(header, 'application/json')).toBe(true);
    expect(accepts(header, 'text/event-stream')).toBe(false);
    expect(accepts(header, 'application/json')).toBe(true);
  });

  it('honours wildcards and missing headers', () => {
    expect(accepts('text/*', 'text/event-stream')).toBe(true);
    expect(accepts('*/*', 'application/json')).toBe(true);
    expect(accepts('text/html', 'application/json')).toBe(false);
    expect(accepts(undefined, 'application/json')).toBe(false);
  });

  it('stays right past the number of headers it remembers', () => {
    for (let index = 0; index < 1000; index++) {
      expect(accepts(`application/x-${index}, application/json`, 'application/json')).toBe(true);
      expect(accepts(`application/x-${index}`, 'application/json')).toBe(false);
    }
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON', true],
    ['text/plain', false],
    [undefined, false],
  ])('%s → %s', (contentType, expected) => {
    expect(isJsonContentType(contentType)).toBe(expected);
  });
});
