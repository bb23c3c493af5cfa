import { describe, expect, test } from 'vitest';
import { startGateway } from '../../harness/gateway/index.ts';
import { forward, routesDoc, startUpstream, startupError } from './gateway-helpers.ts';

describe('the gateway keeps the newest upstream records, bounded', () => {
  test('maxUpstreamRecords: 2 keeps the last two attempts, oldest first', async () => {
    await using upstream = await startUpstream();
    await using gw = await startGateway({ routes: routesDoc([{ path: '/r/{n}', handler: forward({ baseUrl: upstream.url }) }]), maxUpstreamRecords: 2 });
    for (const n of [1, 2, 3]) expect((await fetch(`${gw.url}/r/${n}`)).status).toBe(200);
    expect(gw.upstream.map((r) => new URL(r.url).pathname)).toEqual(['/r/2', '/r/3']);
  });

  test('a maxUpstreamRecords below 1 is refused at start, naming the option', async () => {
    const err = await startupError({ routes: routesDoc([]), maxUpstreamRecords: 0 });
    expect(err.code).toBe('HARNESS_ERR_INVALID_ARGUMENT');
    expect(err.message).toBe('startGateway: maxUpstreamRecords is 0; use a whole number of entries >= 1 (default 1000).');
  });
});
