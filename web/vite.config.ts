import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The workspace is built into web/dist, which the opencases server serves; nothing is loaded from elsewhere.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1500 },
  oxc: { jsx: { runtime: 'automatic' } },
});
