#!/usr/bin/env node
// The `atoll` executable: checks the Node version, then runs the TypeScript entry directly
// (Node 24 strips types natively). npm scripts and `npm exec atoll` use the Node 24 pinned in
// devDependencies.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `atoll needs Node.js 24 or newer (this is ${process.version}). Run it through npm ("npm start", "npm exec atoll -- --help"), which uses the Node 24 installed with the project.`,
  );
  process.exit(1);
}
await import('../src/main.ts');
