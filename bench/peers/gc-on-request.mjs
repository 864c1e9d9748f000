// Preloaded (node --expose-gc --import) into servers whose memory the bench reads: a 'gc' message
// from the bench runs a full garbage collection and answers with process.memoryUsage() after it.
process.on('message', (message) => {
  if (message !== 'gc') return;
  globalThis.gc();
  process.send(process.memoryUsage());
});
