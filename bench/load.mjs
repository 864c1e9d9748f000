// Load from autocannon, in this process. Every response must be 2xx and carry the expected
// result: anything else fails the run.
//
// Runs are a number of requests, not a duration: autocannon ends a timed run by dropping its
// connections with requests in flight, which servers rightly log as aborted requests. A round's
// request count is what the server did per second while warming up, times the round's seconds.
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { ID_PLACEHOLDER } from './client.mjs';

/** The request's body with a new id in place of ID_PLACEHOLDER each time. */
function numbered(body) {
  const [head, tail] = body.split(ID_PLACEHOLDER);
  if (tail === undefined) return () => body;
  let id = 0;
  return () => `${head}${++id}${tail}`;
}

/** POSTs `request` (`{ headers, body }`) `amount` times over `connections` keep-alive connections. */
export async function load(label, url, request, { connections, amount, mark }) {
  const nextBody = numbered(request.body);
  const begun = performance.now();
  let lastResponse = begun;
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        requests: [{ method: 'POST', headers: request.headers, setupRequest: (built) => ({ ...built, body: nextBody() }) }],
        connections: Math.min(connections, amount),
        amount,
        verifyBody: (body) => body.includes(mark),
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
    instance.on('response', () => (lastResponse = performance.now()));
  });
  const problems = { errors: result.errors, timeouts: result.timeouts, 'non-2xx': result.non2xx, 'unexpected bodies': result.mismatches };
  const found = Object.entries(problems).filter(([, count]) => count > 0);
  if (found.length > 0) {
    throw new Error(`${label}: ${found.map(([what, count]) => `${count} ${what}`).join(', ')} in ${result.requests.total} requests`);
  }
  // autocannon's own finish time waits for its next one-second tick.
  const elapsed = (lastResponse - begun) / 1000;
  return { requests: result['2xx'], perSecond: result['2xx'] / elapsed, p50: result.latency.p50, p99: result.latency.p99 };
}

/**
 * Warms a server up (JIT, pools, caches) with `config.warmupRequests`, then for
 * `config.warmupSeconds`; resolves to the request count of a `config.seconds` round.
 */
export async function warmUp(label, url, request, { connections, warmupRequests, warmupSeconds, seconds }, mark) {
  const first = await load(label, url, request, { connections, amount: warmupRequests, mark });
  const second = await load(label, url, request, { connections, amount: Math.ceil(first.perSecond * warmupSeconds), mark });
  return Math.max(connections * 10, Math.round(second.perSecond * seconds));
}
