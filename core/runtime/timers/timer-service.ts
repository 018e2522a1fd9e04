/** The `TimerService` a plugin sees: the operator's `TimerQueue`, bound to the current key. */
import type { TimerService } from '../../api/operator.ts';
import type { KeyContext } from '../state/key-context.ts';
import type { TimerQueue } from './timer-queue.ts';

export function createTimerService(queue: TimerQueue, keys: KeyContext): TimerService {
  return {
    registerEventTimeTimer: (timestamp) => void queue.register(keys.requireKey(), timestamp, 'event'),
    deleteEventTimeTimer: (timestamp) => queue.delete(keys.requireKey(), timestamp, 'event'),
    registerProcessingTimeTimer: (timestamp) => void queue.register(keys.requireKey(), timestamp, 'processing'),
    deleteProcessingTimeTimer: (timestamp) => queue.delete(keys.requireKey(), timestamp, 'processing'),
  };
}
