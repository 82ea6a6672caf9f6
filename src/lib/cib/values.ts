// Value checks shared by every command that writes Pacemaker options.

/** A TCP port 1..65535, digits only. */
export function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535;
}

/**
 * A Pacemaker duration: a number with an optional unit (ms, msec, us, usec,
 * s, sec, m, min, h, hr), as pcs validates timeouts; or ISO 8601 (PT5M).
 */
export function isDuration(value: string): boolean {
  return /^\d+\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?$/i.test(value) || /^P(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)$/i.test(value);
}

/** Names of nvpairs we accept from the command line (no quoting surprises in ids or messages). */
export function isOptionName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(name) && name.length <= 256;
}
