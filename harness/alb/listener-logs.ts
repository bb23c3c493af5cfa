import { openLogFiles } from './log-files.ts';
import { createLogStream, type WritableLogStream } from './log-stream.ts';
import type { AlbConfig } from './options.ts';
import type { AccessLogEntry, ConnectionLogEntry } from './types.ts';

/** The ALB node's address in logs (field 15) and log file names. */
const NODE_IP = '127.0.0.1';

/** A listener's two logs: in-memory streams, and files when `logDirectory` is set. */
export interface ListenerLogs {
  readonly connectionLog: WritableLogStream<ConnectionLogEntry>;
  readonly accessLog: WritableLogStream<AccessLogEntry>;
  connection(entry: ConnectionLogEntry): void;
  access(entry: AccessLogEntry): void;
  readonly nodeIp: string;
  /** The actual listener port (the configured one may be 0; known once listening). */
  listenerPort(): number;
}

export function openListenerLogs(config: AlbConfig, listenerPort: () => number): ListenerLogs {
  const connectionLog = createLogStream<ConnectionLogEntry>('connectionLog', config.maxLogEntries);
  const accessLog = createLogStream<AccessLogEntry>('accessLog', config.maxLogEntries);
  const files = config.logDirectory
    ? openLogFiles(config.logDirectory, { loadBalancerId: config.loadBalancerId, at: config.clock(), nodeIp: NODE_IP })
    : null;
  return {
    connectionLog,
    accessLog,
    connection(entry) {
      files?.appendConnection(entry.raw);
      connectionLog.push(entry);
    },
    access(entry) {
      files?.appendAccess(entry.raw);
      accessLog.push(entry);
    },
    nodeIp: NODE_IP,
    listenerPort,
  };
}
