/** Errors about reaching the database that the user fixes outside nomnom-live (URL, privileges). */

/** The database answered, but the configured user may not do what nomnom-live needs; the message says what to grant. */
export class DatabaseAccessError extends Error {}
