/** Where the CLI writes; tests pass their own to capture output. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Colour is used only on a TTY and never when NO_COLOR is set. */
  color: boolean;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); used by long-running commands like `serve`. */
  untilInterrupted(): Promise<void>;
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    color: !!process.stdout.isTTY && !('NO_COLOR' in process.env),
    untilInterrupted: () =>
      new Promise((resolve) => {
        // SIGHUP too: a closed terminal must still let serve remove the temporary PKI it wrote.
        const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
        const stop = () => {
          for (const s of signals) process.off(s, stop);
          resolve();
        };
        for (const s of signals) process.on(s, stop);
      }),
  };
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export function paint(io: CliIo, color: keyof typeof CODES, text: string): string {
  return io.color ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}
