// Node module-customisation hooks for user function handlers, registered once per process by
// function-handlers.ts (after tsx's hooks, so these run first):
// - the bare specifier `@zuplo/runtime` resolves to the harness's shim;
// - files under a registered project `modules/` directory are ESM even without a package.json
//   saying `"type": "module"` (Zuplo projects are ESM; Node would otherwise treat `.ts` as CJS,
//   whose `require` bypasses these hooks);
// - a module imported from a module whose URL carries the `gateway-import` parameter carries the
//   same one, so each import of a user module loads its own copy of everything it imports (the
//   shim above excepted: it keeps its state on globalThis and is shared).
// Plain .mjs because hooks run on Node's loader thread, where no TypeScript loader is guaranteed.

/** @type {string | undefined} */
let shimUrl;
/** @type {string | undefined} */
let importParam;
/** @type {string[]} file-URL prefixes (ending in `/`) of registered `modules/` directories */
const esmRoots = [];

/** @param {{ shimUrl: string, importParam: string, port: import('node:worker_threads').MessagePort }} data */
export function initialize(data) {
  shimUrl = data.shimUrl;
  importParam = data.importParam;
  data.port.on('message', (message) => {
    if (message && typeof message.addEsmRoot === 'string') esmRoots.push(message.addEsmRoot);
    if (message && typeof message.ack === 'number') data.port.postMessage({ ack: message.ack });
  });
  data.port.unref();
}

/**
 * @param {string} specifier
 * @param {{ parentURL?: string }} context
 * @param {(specifier: string, context?: object) => Promise<{ url: string, format?: string }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@zuplo/runtime' && shimUrl !== undefined) {
    return { url: shimUrl, format: 'module', shortCircuit: true };
  }
  let resolved = await nextResolve(specifier, context);
  const copy = importParam !== undefined && context.parentURL?.startsWith('file:') ? new URL(context.parentURL).searchParams.get(importParam) : null;
  if (copy !== null && resolved.url.startsWith('file:')) {
    const url = new URL(resolved.url);
    url.searchParams.set(importParam, copy);
    resolved = { ...resolved, url: url.href };
  }
  const path = resolved.url.split('?')[0];
  if (esmRoots.some((root) => path.startsWith(root)) && /\.(?:[cm]?ts|js)$/.test(path) && !/\.c[jt]s$/.test(path)) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}
