/** The throwaway root login of the tour's temporary database (it listens on 127.0.0.1 only, for seconds). */
export const TOUR_LOGIN = {
  user: 'tour',
  password: 'tour-password-not-secret',
  jwtSecret: 'kilndb-tour-secret-kilndb-tour-secret-0123',
} as const;
