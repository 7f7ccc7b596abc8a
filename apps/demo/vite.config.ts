import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The console's sources live in src/console; the server serves dist/console at `/`.
export default defineConfig({
  root: 'src/console',
  base: './',
  plugins: [preact()],
  build: {
    outDir: '../../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
});
