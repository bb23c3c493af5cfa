import type { Scenario } from '../types.ts';
import { albBehaviour } from './alb-behaviour.ts';
import { fails522 } from './fails-522.ts';
import { fails522Local } from './fails-522-local.ts';
import { noCertificate } from './no-certificate.ts';
import { realWorld } from './real-world.ts';
import { rejects403 } from './rejects-403.ts';
import { trustStoreLoad } from './trust-store-load.ts';
import { trustStoreRotation } from './trust-store-rotation.ts';
import { walkthrough } from './walkthrough.ts';

/** Every scenario in catalogue order (seed order first), before validation. */
export const CATALOGUE: readonly Scenario[] = [
  ...walkthrough,
  ...fails522,
  ...rejects403,
  ...noCertificate,
  ...albBehaviour,
  ...trustStoreRotation,
  ...fails522Local,
  ...trustStoreLoad,
  ...realWorld,
];
