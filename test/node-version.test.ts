import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE, unsupportedNodeMessage } from '../harness/node-version.ts';

describe('the Node version check of the library entry and the CLI', () => {
  it('names the version it needs, once, for an older Node', () => {
    expect(unsupportedNodeMessage('18.19.1')).toBe(
      'alb-mtls-harness needs Node.js 20.18.0 or newer; this is Node.js 18.19.1. Install a current Node (https://nodejs.org) and run again.',
    );
    expect(unsupportedNodeMessage('20.17.9')).toMatch(/^alb-mtls-harness needs Node\.js 20\.18\.0 or newer; this is Node\.js 20\.17\.9\./);
  });

  it('accepts the minimum and anything newer', () => {
    for (const v of ['20.18.0', '20.18.1', '20.19.0', '21.0.0', '22.1.0', '100.0.0']) expect(unsupportedNodeMessage(v)).toBeUndefined();
  });

  it('checks the same minimum package.json declares in engines', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE.replace(/\.0$/, '')}`);
  });
});
