/**
 * A body that is a oneOf of closed variants (the spec's legacy and result-contract bodies), with
 * errors that name fields. A zod union that no variant accepts reports one issue on the whole body
 * ("Invalid input"), which tells the caller nothing; so the same contract is also written as one closed
 * object with cross-field refinements (`checked`), whose issues name each field. `checked` runs first
 * and stops the parse with its issues; the union then validates (and documents) the exact oneOf.
 */
import { z } from '@hono/zod-openapi';

/** `union`, parsed only once `checked` (the same contract, with field-naming issues) accepts the input. */
export function exactUnion<U extends z.ZodUnion>(checked: z.ZodType, union: U) {
  return z.preprocess(
    (input, ctx) => {
      const result = checked.safeParse(input);
      if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue });
      return input;
    },
    union.openapi({}, { unionPreferredType: 'oneOf' }),
  );
}
