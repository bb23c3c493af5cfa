import { register } from 'node:module';
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { UserError } from '../errors.ts';
import { shared, type GatewayRuntime } from './gateway-context.ts';

/**
 * Imports user function-handler modules (`$import(./modules/x)`) natively, with `@zuplo/runtime`
 * mapped to the harness's shim by loader-hooks.mjs, and TypeScript compiled by tsx. tsx's
 * namespaced import (`register({ namespace }).import`) is used rather than `import()` because under
 * vitest an `import()` in harness code goes through vite's module runner, which knows neither the
 * hook nor the alias; tsx's import is native in both the CLI and vitest.
 *
 * Each call loads a fresh copy of the user's module graph (module-scope state is per gateway, as in
 * Zuplo's isolates): the entry's URL carries a `gateway-import` number that loader-hooks.mjs hands
 * on to everything it imports, except `@zuplo/runtime`, whose state lives on globalThis
 * (gateway-context.ts) so one copy serves every gateway. tsx is registered once, under one
 * namespace: `tsImport` would register another loader per call, which Node never unregisters, and
 * load the shim's module graph again each time (~45 ms per import, and a loader chain that grows).
 */

const EXTENSIONS = ['', '.ts', '.mts', '.js', '.mjs', '/index.ts', '/index.js'];

interface HookState {
  port: MessagePort;
  roots: Set<string>;
  nextAck: number;
  /** The number the next import's module graph is told apart by. */
  nextImport: number;
  /** tsx's loader, registered once (after these hooks, so it runs first). */
  tsx?: Promise<{ import: (specifier: string, parentURL: string) => Promise<unknown> }>;
}

/** The query parameter that tells one import's copy of the user's module graph from another's (also in loader-hooks.mjs). */
const IMPORT_PARAM = 'gateway-import';
/** tsx's namespace for user modules: one per process, so the loaders it registers stay one. */
const TSX_NAMESPACE = 'alb-mtls-harness-user-modules';

const HOOKS = Symbol.for('alb-mtls-harness.gateway.loader-hooks');

// Registers loader-hooks.mjs once per process.
function hooks(): HookState {
  const g = globalThis as { [HOOKS]?: HookState };
  if (g[HOOKS] === undefined) {
    const { port1, port2 } = new MessageChannel();
    // From source this file is .ts and so is the shim; in the published build both are .js.
    const shimUrl = new URL(`./runtime/index${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url).href;
    register(new URL('./runtime/loader-hooks.mjs', import.meta.url), {
      data: { shimUrl, port: port2, importParam: IMPORT_PARAM },
      transferList: [port2],
    });
    port1.unref();
    g[HOOKS] = { port: port1, roots: new Set(), nextAck: 1, nextImport: 1 };
  }
  return g[HOOKS];
}

// Tells the hooks thread to treat files under `dir` as ESM, and waits until it has.
async function addEsmRoot(dir: string): Promise<void> {
  const state = hooks();
  const root = pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`).href;
  if (state.roots.has(root)) return;
  const ack = state.nextAck++;
  await new Promise<void>((resolve) => {
    const onMessage = (message: { ack?: number }) => {
      if (message?.ack !== ack) return;
      state.port.off('message', onMessage);
      state.port.unref();
      resolve();
    };
    state.port.on('message', onMessage);
    state.port.ref();
    state.port.postMessage({ addEsmRoot: root });
    state.port.postMessage({ ack });
  });
  state.roots.add(root);
}

/** Finds `./modules/x` under the project root, trying the extensions Zuplo's bundler would. */
export async function resolveModuleFile(projectDir: string, specifier: string): Promise<string | undefined> {
  const base = isAbsolute(specifier) ? specifier : resolvePath(projectDir, specifier);
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    if (await stat(candidate).then((s) => s.isFile(), () => false)) return candidate;
  }
  return undefined;
}

/**
 * Imports one user module for `gateway`. Top-level code runs while the gateway is marked as
 * loading, so a module-scope `environment.X` reads this gateway's variables.
 */
export async function importUserModule(
  projectDir: string,
  specifier: string,
  where: { file: string; pointer: string },
  gateway: GatewayRuntime,
): Promise<Record<string, unknown>> {
  const file = await resolveModuleFile(projectDir, specifier);
  if (file === undefined) {
    throw new UserError(
      'HARNESS_ERR_GATEWAY_CONFIG',
      `${where.file}: ${where.pointer}: module "${specifier}" not found under ${projectDir} ` +
        `(tried ${EXTENSIONS.filter(Boolean).join(', ')}). Module paths start with ./modules/ and omit the extension.`,
    );
  }
  await addEsmRoot(projectDir);
  const s = shared();
  s.loading.push(gateway);
  try {
    const state = hooks();
    // tsx is loaded here, on the first user module, not at start-up: only function handlers need it.
    state.tsx ??= import('tsx/esm/api').then(({ register: registerTsx }) => registerTsx({ namespace: TSX_NAMESPACE }));
    const tsx = await state.tsx;
    const url = new URL(pathToFileURL(file).href);
    url.searchParams.set(IMPORT_PARAM, String(state.nextImport++));
    return (await tsx.import(url.href, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(
      'HARNESS_ERR_GATEWAY_CONFIG',
      `${where.file}: ${where.pointer}: importing ${file} failed: ${(err as Error).message}. Fix the module (it must be ` +
        'an ES module; "@zuplo/runtime" is provided by the harness).',
      { cause: err },
    );
  } finally {
    s.loading.splice(s.loading.lastIndexOf(gateway), 1);
  }
}
