import { execFile } from 'node:child_process';

/** Runs the real curl CLI with no shell; its exit code is the verdict a user sees. A missing curl fails with the install command. */
export function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['--silent', '--show-error', ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT') return reject(new Error('curl is not installed: apt-get install curl'));
      if (typeof code === 'string') return reject(err);
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
