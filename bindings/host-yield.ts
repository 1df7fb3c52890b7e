// Letting pending events run before continuing, on any host: setImmediate on
// Node, a MessageChannel round trip where there is none (Web Workers; their
// setTimeout(0) is clamped to several milliseconds once nested).

let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

/** Resolves after the events already queued have run. */
export function yieldToHost(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel!.port2.postMessage(0);
  });
}
