/**
 * Headers that describe one connection, not the message: they belong to the hop they arrived on
 * and are never copied to the next one (client → gateway → origin, and back). `Host` is not in the
 * list because it is a request header with its own rule: it always comes from the target URL.
 */
export const HOP_BY_HOP_HEADERS = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'] as const;

const SET: ReadonlySet<string> = new Set(HOP_BY_HOP_HEADERS);

/** Whether a (lower-case) header name is hop-by-hop. */
export function isHopByHop(name: string): boolean {
  return SET.has(name);
}

/** Removes every hop-by-hop header from `headers`, in place. */
export function deleteHopByHop(headers: Headers): void {
  for (const name of HOP_BY_HOP_HEADERS) headers.delete(name);
}
