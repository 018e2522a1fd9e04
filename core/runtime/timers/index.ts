export { TimerQueue } from './timer-queue.ts';
export type { Timer, TimerQueueSnapshot } from './timer-queue.ts';
export { createTimerService } from './timer-service.ts';
