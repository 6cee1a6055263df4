// Lint rules that hold the layering of DESIGN §3: a lower layer never imports a higher one.
import tseslint from 'typescript-eslint';

const layers = ['storage', 'engine', 'query|views|events', 'auth|cluster', 'server|client', 'cli'];
const above = (i) => layers.slice(i + 1).flatMap((l) => l.split('|'));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scratch/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layers.map((layer, i) => ({
    files: layer.split('|').map((l) => `src/${l}/**/*.ts`),
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...above(i).map((l) => ({ group: [`**/${l}/*`, `**/${l}`], message: `${layer} must not import ${l} (layers point down only)` })),
          // The facade (src/koru-delta.ts, src/index.ts) composes engine, query, views and events:
          // those layers must not import it; the server and CLI above may.
          // The engine sees only the Store interface; the facade picks the implementation.
          ...(i >= 1 && i <= 2 ? [{ group: ['**/storage/lmdb-store*', '**/storage/memory-store*', '**/storage/index*'], message: 'use the Store interface (storage/store.js), not an implementation' }] : []),
          ...(i <= 2 ? [{ group: ['../index.js', '../../index.js', '**/koru-delta.js'], message: 'layers below the facade must not import it' }] : []),
        ],
      }],
    },
  })),
);
