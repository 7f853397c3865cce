/** In-process wake-ups for log followers: a sink announces that an owner's lines were committed. */
import { EventEmitter } from 'node:events';

export type LogBus = {
  announce(ownerId: string): void;
  subscribe(ownerId: string, listener: () => void): () => void;
};

export function createLogBus(): LogBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    announce: (ownerId) => void emitter.emit(ownerId),
    subscribe(ownerId, listener) {
      emitter.on(ownerId, listener);
      return () => void emitter.off(ownerId, listener);
    },
  };
}
