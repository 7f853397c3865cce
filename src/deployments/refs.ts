/** How callers name one resource under a deployment (a run, a service instance, a version). */

/** The workspace asking, the deployment, and the resource's id within it. */
export type ResourceRef = { workspaceId: string; deploymentId: string; id: string };
