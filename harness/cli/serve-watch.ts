import { unwatchFile, watchFile } from 'node:fs';

/** How often `serve --watch` looks at the trust-store files (stat polling survives editors that replace a file). */
export const WATCH_INTERVAL_MS = 300;

/**
 * Calls `onChange` once for every burst of changes to any of `paths` (an editor's save is often two
 * or three writes); a change that arrives while `onChange` runs is handled after it. Disposing stops
 * watching.
 */
export function watchFiles(paths: readonly string[], onChange: () => Promise<void>): Disposable {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(onChange, onChange);
    }, WATCH_INTERVAL_MS);
  };
  const listener = (now: { mtimeMs: number; size: number }, before: { mtimeMs: number; size: number }) => {
    if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) changed();
  };
  for (const path of paths) watchFile(path, { interval: WATCH_INTERVAL_MS, persistent: false }, listener);
  return {
    [Symbol.dispose]() {
      clearTimeout(timer);
      for (const path of paths) unwatchFile(path, listener);
    },
  };
}
