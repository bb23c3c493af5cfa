/** `npm run bench [pki|alb|scenarios|gateway|cli ...]`: every benchmark, each measured against its baseline in the same run. */
import { runPkiBench } from './pki.ts';
import { runAlbBench } from './alb.ts';
import { runScenariosBench } from './scenarios.ts';
import { gatewayBenchLines } from './gateway.ts';
import { runCliBenchReport } from './cli.ts';
import { verdict } from './stats.ts';

type Bench = () => Promise<{ ok: boolean; lines: string[] }>;

const benches: Record<string, Bench> = {
  pki: runPkiBench,
  alb: async () => {
    const r = await runAlbBench();
    return {
      ok: r.ratio >= 0.7,
      lines: [
        `alb verify (TLS 1.3, new connection + GET): emulator ${r.emulatorPerSecond.toFixed(0)}/s, bare Node https ${r.bareNodePerSecond.toFixed(0)}/s, ` +
          `ratio ${r.ratio.toFixed(2)}, target >= 0.70: ${verdict(r.ratio >= 0.7)}${r.errors ? ` (${r.errors} errors)` : ''}`,
        `alb offline verify (default good chain): verifyClientChain ${r.offlineVerifyPerSecond.toFixed(0)}/s (recomputed ${r.offlineRecomputePerSecond.toFixed(0)}/s), ` +
          `X509Certificate.verify ${r.x509VerifyPerSecond.toFixed(0)}/s, ratio ${r.offlineRatio.toFixed(2)}`,
      ],
    };
  },
  scenarios: runScenariosBench,
  gateway: () => gatewayBenchLines(),
  cli: runCliBenchReport,
};

const only = process.argv.slice(2);
let allOk = true;
for (const [name, run] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`# ${name}`);
  const { ok, lines } = await run();
  allOk &&= ok;
  for (const line of lines) console.log(line);
}
console.log(allOk ? 'all targets met' : 'some targets missed (see above)');
