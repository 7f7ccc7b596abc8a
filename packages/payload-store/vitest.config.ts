import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'payload-store',
    include: ['src/**/*.test.ts'],
  },
});
