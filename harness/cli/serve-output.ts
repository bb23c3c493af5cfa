import type { AccessLogEntry, ConnectionLogEntry, LogStream } from '../alb/types.ts';
import { paint, type CliIo } from './io.ts';
import type { PrintedGroup } from './serve-printed-commands.ts';

/** The printed curl / openssl commands, a heading per group (one listener or several print them alike). */
export function printCommandGroups(io: CliIo, groups: PrintedGroup[]): void {
  for (const group of groups) {
    io.out(group.heading);
    for (const command of group.commands) io.out(`  ${command}`);
  }
}

/** Streams the ALB's log lines as they are written until Ctrl-C, then says it stops. */
export async function streamLogsUntilInterrupted(io: CliIo, alb: { connectionLog: LogStream<ConnectionLogEntry>; accessLog: LogStream<AccessLogEntry> }): Promise<void> {
  const stopConn = alb.connectionLog.subscribe((e) => io.out(`${paint(io, e.tlsVerifyStatus === 'Success' ? 'green' : 'red', 'connection-log')} ${e.raw}`));
  const stopAccess = alb.accessLog.subscribe((e) => io.out(`${paint(io, 'dim', 'access-log')} ${e.raw}`));
  try {
    await io.untilInterrupted();
  } finally {
    stopConn();
    stopAccess();
  }
  io.out('Stopping.');
}
