import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'doc-engine',
    include: ['src/**/*.test.ts'],
  },
});
