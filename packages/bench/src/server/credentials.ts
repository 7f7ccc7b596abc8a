/** The root credentials the server suite's child server starts with and the suite logs in with. */
export const BENCH_USER = 'bench';
export const BENCH_PASSWORD = 'bench-password-0123456789';
export const BENCH_JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
