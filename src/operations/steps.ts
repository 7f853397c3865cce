/**
 * Per-step progress of an operation, as pure functions over the `steps` array: build the plan when the
 * operation starts, then move one named step at a time and write the result with `updateOperation`.
 */
import { unixSeconds } from '../db/time.ts';
import type { OperationStep, StepStatus } from './schemas.ts';

export type StepPlan = {
  name: string;
  execution_type?: OperationStep['execution_type'];
  retryable?: boolean;
  skippable?: boolean;
};

/** A pending step. `started_at` is required on the wire, so a step not yet started carries the plan's time. */
export function pendingStep(plan: StepPlan, now: Date): OperationStep {
  return {
    name: plan.name,
    status: 'pending',
    execution_type: plan.execution_type ?? 'system',
    started_at: unixSeconds(now),
    completed_at: null,
    error_message: null,
    retryable: plan.retryable ?? false,
    skippable: plan.skippable ?? false,
  };
}

/**
 * `steps` with `step` added before the step called `before` (at the end when there is none), or
 * `steps` as they are when a step of that name is planned already.
 */
export function withStepBefore(
  steps: readonly OperationStep[],
  step: OperationStep,
  before: string,
): OperationStep[] {
  if (steps.some((s) => s.name === step.name)) return [...steps];
  const at = steps.findIndex((s) => s.name === before);
  return at < 0 ? [...steps, step] : [...steps.slice(0, at), step, ...steps.slice(at)];
}

/**
 * A copy of `steps` with the step called `name` moved to `status` at `now`: running (re)starts it and
 * clears its error, completed/skipped/failed end it (failed with `errorMessage`). A name that is not
 * in the plan is a bug in the caller and throws.
 */
export function withStepStatus(
  steps: readonly OperationStep[],
  name: string,
  status: StepStatus,
  now: Date,
  errorMessage?: string,
): OperationStep[] {
  const index = steps.findIndex((s) => s.name === name);
  if (index < 0)
    throw new Error(`operation has no step "${name}" (steps: ${steps.map((s) => s.name).join(', ')})`);
  const at = unixSeconds(now);
  const step = steps[index]!;
  let next: OperationStep;
  switch (status) {
    case 'pending':
      next = { ...step, status, completed_at: null, error_message: null };
      break;
    case 'running':
      next = { ...step, status, started_at: at, completed_at: null, error_message: null };
      break;
    case 'completed':
    case 'skipped':
      next = { ...step, status, completed_at: at, error_message: null };
      break;
    case 'failed':
      next = { ...step, status, completed_at: at, error_message: errorMessage ?? 'step failed' };
      break;
    default: {
      const never: never = status;
      throw new Error(`unknown step status ${String(never)}`);
    }
  }
  return steps.map((s, i) => (i === index ? next : s));
}
