/**
 * How guest code becomes the entry the runner calls, inside an isolate: a snippet's function expression
 * (or function body), or a render program's ES module whose default export is called with the
 * arguments array. Compile problems come back as ExecutionErrors, not exceptions.
 */
import ivm from 'isolated-vm';
import type { ExecutionError } from './types.ts';

/**
 * Compiles the user's code into `globalThis.__atoll_entry`. The code is a function expression
 * (`async (inputs) => { … }`); code that does not start like one is taken as the body of
 * `async function (inputs) { … }`. Line numbers in errors are those of the user's code.
 */
export function compileEntry(isolate: ivm.Isolate, code: string): ivm.Script | ExecutionError {
  // Compiling runs no guest code and is bounded by the code's size (≤ 50,000 characters): done synchronously.
  const options = { filename: 'snippet.js', lineOffset: -1 };
  try {
    return isolate.compileScriptSync(`globalThis.__atoll_entry = (\n${code}\n);`, options);
  } catch (error) {
    if (/^\s*(async\b|function\b|\()/.test(code))
      return { code: 'syntax_error', message: (error as Error).message };
  }
  try {
    return isolate.compileScriptSync(
      `globalThis.__atoll_entry = async function (inputs) {\n${code}\n};`,
      options,
    );
  } catch (error) {
    return { code: 'syntax_error', message: (error as Error).message };
  }
}

/**
 * Compiles and evaluates an ES module (no imports: a render program is one file) and makes its default
 * export the entry, called with the arguments array the run passes as inputs.
 */
export async function loadModuleEntry(
  isolate: ivm.Isolate,
  context: ivm.Context,
  code: string,
  cpuMs: number,
): Promise<ExecutionError | undefined> {
  let module: ivm.Module;
  try {
    module = isolate.compileModuleSync(code, { filename: 'program.js' });
  } catch (error) {
    return { code: 'syntax_error', message: (error as Error).message };
  }
  if (module.dependencySpecifiers.length > 0) {
    return {
      code: 'unsupported_import',
      message: `the program imports ${module.dependencySpecifiers.map((s) => JSON.stringify(s)).join(', ')}; a program is one module without imports (bundle it)`,
    };
  }
  module.instantiateSync(context, () => {
    throw new Error('imports are not supported');
  });
  await module.evaluate({ timeout: cpuMs });
  const entry = await module.namespace.get('default', { reference: true });
  if (entry.typeof !== 'function') {
    return {
      code: 'not_a_function',
      message:
        'the module must export a default function, e.g. export default function render(input, ctx) { … }',
    };
  }
  await context.global.set('__atoll_default', entry.derefInto());
  isolate
    .compileScriptSync(
      'globalThis.__atoll_entry = ((f) => (args) => f(...args))(globalThis.__atoll_default); delete globalThis.__atoll_default;',
    )
    .runSync(context);
  return undefined;
}
