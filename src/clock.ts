/** Time is a parameter: ledger and workflow take a clock so tests can stand on an expiry boundary. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
