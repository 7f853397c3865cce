/** The typed context of an installs service call: who asks, in which workspace, at which etag. */
import type { Caller } from '../http/context.ts';

/** Who asks, and in which workspace. */
export type Actor = { workspaceId: string; caller: Caller };

/** A change to an install, made only at the version its etag names (`if-match`). */
export type InstallChange = { installId: string; ifMatch: string };
