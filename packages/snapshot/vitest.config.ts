import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'snapshot',
    include: ['src/**/*.test.ts'],
  },
});
