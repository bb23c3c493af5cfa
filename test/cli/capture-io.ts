import type { CliIo } from '../../harness/cli/io.ts';

/** A CliIo that records output; `interrupt()` resolves untilInterrupted (Ctrl-C for long-running commands). */
export function captureIo(): CliIo & { stdout: string[]; stderr: string[]; interrupt(): void; nextLine(match: RegExp): Promise<string> } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { match: RegExp; resolve(line: string): void }[] = [];
  let interrupt = () => {};
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
  const push = (into: string[]) => (line: string) => {
    into.push(line);
    for (const w of [...waiters]) if (w.match.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
  };
  return {
    stdout, stderr, color: false,
    out: push(stdout), err: push(stderr),
    untilInterrupted: () => interrupted,
    interrupt: () => interrupt(),
    nextLine: (match) => {
      const seen = [...stdout, ...stderr].find((l) => match.test(l));
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
