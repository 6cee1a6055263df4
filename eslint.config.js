// Lint rules that hold the layering of DESIGN §3: a lower layer never imports a higher one.
import tseslint from 'typescript-eslint';

const layers = ['storage', 'engine', 'query|views|events', 'auth|cluster', 'server|client', 'cli'];
const above = (i) => layers.slice(i + 1).flatMap((l) => l.split('|'));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
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
        patterns: above(i).map((l) => ({ group: [`**/${l}/*`, `**/${l}`], message: `${layer} must not import ${l} (layers point down only)` })),
      }],
    },
  })),
);
