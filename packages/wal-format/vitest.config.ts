import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'wal-format',
    include: ['src/**/*.test.ts'],
  },
});
