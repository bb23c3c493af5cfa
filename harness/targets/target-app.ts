import type { Express } from 'express';
import type { TargetOptions } from './target-options.ts';

/** Builds the per-kind routes; returns a cleanup run on close (timers of the slow target). */
export type TargetApp = (app: Express, options: TargetOptions) => (() => void) | void;
