import type { LiveUiHandle, LiveUiOptions } from './live-ui.ts';

/**
 * `startLiveUi`, loaded on first use: the page's explanations pull in the scenario catalogue, which
 * `serve` without `--ui` has no reason to load.
 */
export async function startLiveUiLazily(options: LiveUiOptions): Promise<LiveUiHandle> {
  const { startLiveUi } = await import('./live-ui.ts');
  return startLiveUi(options);
}
