// The console's build (docs/console.md): React with the automatic JSX runtime; @atoll/client resolved to
// its TypeScript source (the `source` export condition), so the console always matches the client.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['source'] },
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run dev -w @atoll/console` against a server on 8787.
    proxy: {
      '/v1': 'http://127.0.0.1:8787',
      '/git': 'http://127.0.0.1:8787',
      '/docs': 'http://127.0.0.1:8787',
    },
  },
});
