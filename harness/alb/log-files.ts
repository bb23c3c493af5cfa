import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureDirectorySync } from '../file-errors.ts';

/** The account and region the emulated ALB pretends to live in (they only appear in file names). */
export const LOG_ACCOUNT_ID = '123456789012';
export const LOG_REGION = 'us-east-1';

/** `20140215T2340Z`: the end of the 5-minute interval that contains `date`, as AWS names log files. */
export function intervalEnd(date: Date): string {
  const end = new Date(Math.floor(date.getTime() / 300_000) * 300_000 + 300_000);
  return end.toISOString().replace(/[-:]/g, '').replace(/\d\d\.\d{3}Z$/, 'Z');
}

/**
 * AWS's log object names, without `.gz` (the emulator writes plain text so lines can be appended):
 * `conn_log_{acct}_elasticloadbalancing_{region}_app.{name}.{id}_{end}_{node-ip}_{random}.log` and the
 * same without `conn_log_` for access logs. `loadBalancerId` is `app/my-alb/50dc6c495c0c9188`.
 */
export function logFileNames(options: { loadBalancerId: string; at: Date; nodeIp: string }): { connection: string; access: string } {
  const lb = options.loadBalancerId.replace(/\//g, '.');
  const stem = `${LOG_ACCOUNT_ID}_elasticloadbalancing_${LOG_REGION}_${lb}_${intervalEnd(options.at)}_${options.nodeIp}_${randomBytes(4).toString('hex')}.log`;
  return { connection: `conn_log_${stem}`, access: stem };
}

/** Appends lines to the two AWS-named files in `directory` (created if missing). */
export interface LogFiles {
  connectionPath: string;
  accessPath: string;
  appendConnection(line: string): void;
  appendAccess(line: string): void;
}

export function openLogFiles(directory: string, options: { loadBalancerId: string; at: Date; nodeIp: string }): LogFiles {
  ensureDirectorySync('logDirectory', directory);
  const names = logFileNames(options);
  const connectionPath = join(directory, names.connection);
  const accessPath = join(directory, names.access);
  // Synchronous appends: a test that saw an entry through waitFor can read the file at once.
  return {
    connectionPath,
    accessPath,
    appendConnection: (line) => appendFileSync(connectionPath, `${line}\n`),
    appendAccess: (line) => appendFileSync(accessPath, `${line}\n`),
  };
}
