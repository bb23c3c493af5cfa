import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Inodes of TCP sockets with one of `ports` at either end (from /proc/net/tcp*). */
function socketInodes(ports: readonly number[]): Set<string> {
  const inodes = new Set<string>();
  const hexes = ports.map((port) => `:${port.toString(16).toUpperCase().padStart(4, '0')}`);
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (hexes.some((hex) => f[1]!.endsWith(hex) || f[2]!.endsWith(hex))) inodes.add(f[9]!);
    }
  }
  return inodes;
}

/**
 * Open file descriptors of this process, minus the connections to `pooledPorts` (the emulator's
 * target): those form a keep-alive pool that stays open by design (as ALB's does), sized by load.
 */
export function fdCount(pooledPorts: readonly number[]): number {
  const pooled = socketInodes(pooledPorts);
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let link: string;
    try {
      link = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed while we looked
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode && pooled.has(inode)) continue;
    count++;
  }
  return count;
}

/** fdCount once it is back to `start` or `waitMs` have passed (closing sockets take a moment, idle pools a timeout). */
export async function settledFdCount(pooledPorts: readonly number[], start: number, waitMs: number): Promise<number> {
  let count = fdCount(pooledPorts);
  for (let waited = 0; waited < waitMs && count > start; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    count = fdCount(pooledPorts);
  }
  return count;
}

export const gc = (globalThis as { gc?: () => void }).gc;

/** Resident memory and the JS heap in use after full GCs, in MB. */
export async function settledMemoryMb(): Promise<{ rss: number; heapUsed: number }> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const usage = process.memoryUsage();
  if (process.env.SOAK_DEBUG) console.error(JSON.stringify(Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, Math.round(v / 1048576)]))));
  return { rss: usage.rss / 1024 / 1024, heapUsed: usage.heapUsed / 1024 / 1024 };
}

/** Resident memory after full GCs, in MB. */
export async function settledRssMb(): Promise<number> {
  return (await settledMemoryMb()).rss;
}

/** Runs `count` tasks, `concurrency` at a time. */
export async function pool(count: number, task: (i: number) => Promise<void>, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
}

/** Breach messages, the first 50 kept. */
export class Breaches {
  readonly list: string[] = [];
  add(message: string): void {
    if (this.list.length < 50) this.list.push(message);
    else if (this.list.length === 50) this.list.push('(more breaches not shown)');
  }
}
