/** The typed context of an agents service call that records who acted: who asks, in which workspace. */
import type { Caller } from '../http/context.ts';

/** Who asks, and in which workspace. */
export type Actor = { workspaceId: string; caller: Caller };
