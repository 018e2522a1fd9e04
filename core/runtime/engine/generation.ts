/**
 * The restore generation of the running attempt (how many times the job restored; the
 * manifest's `generation`), published in the job container so a sink that versions rows
 * (HBase: versions that only grow) can declare it as a dependency.
 */
import { serviceRef } from '../../api/index.ts';
import { registerService } from '../di/index.ts';
import type { EngineSettings } from './settings.ts';

export const restoreGeneration = serviceRef<number>('sluice.runtime.restoreGeneration');

export function publishGeneration(s: EngineSettings, generation: number): void {
  if (s.container) registerService(s.container, restoreGeneration, generation);
}
