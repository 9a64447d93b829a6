// Preloaded into byokey (`node --expose-gc --require heap-probe.js dist/main.js serve …`) for the
// memory tests only: answers `{ type: 'memory', gc }` over IPC with process.memoryUsage(), after a
// full GC when asked, so a soak can tell a leak (live heap growing) from the heap merely sizing up.
// It touches nothing else in the process.
interface MemoryQuery {
  type: 'memory';
  id: number;
  gc?: boolean;
}

process.on('message', (message: MemoryQuery) => {
  if (message?.type !== 'memory') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (message.gc && gc) gc();
  process.send?.({ type: 'memory', id: message.id, usage: process.memoryUsage() });
});
