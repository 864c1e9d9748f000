import { RequestCancellation } from './request-cancellation.js';

describe('RequestCancellation', () => {
  it('gives a signal read after the abort its reason', () => {
    const cancellation = new RequestCancellation();
    const reason = new Error('gone');
    cancellation.abort(reason);
    expect(cancellation.signal.aborted).toBe(true);
    expect(cancellation.signal.reason).toBe(reason);
  });

  it('aborts a signal read before the abort, and keeps the first reason', () => {
    const cancellation = new RequestCancellation();
    const signal = cancellation.signal;
    const first = new Error('first');
    cancellation.abort(first);
    cancellation.abort(new Error('second'));
    expect(signal.aborted).toBe(true);
    expect(cancellation.reason).toBe(first);
  });

  it('calls listeners once, at once when already aborted, and not after they stop listening', () => {
    const cancellation = new RequestCancellation();
    const heard: string[] = [];
    cancellation.onAbort(() => heard.push('a'));
    const stop = cancellation.onAbort(() => heard.push('b'));
    stop();
    cancellation.abort(new Error('x'));
    cancellation.abort(new Error('y'));
    cancellation.onAbort((reason) => heard.push(`late ${reason.message}`));
    expect(heard).toEqual(['a', 'late x']);
  });
});
