/**
 * The sentences about fixes that `full` output and `pyhang check --fix` end
 * with, worded as Ruff words them, in one place so they cannot drift apart.
 */

/** `1 error`, `2 errors`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `2 hidden fixes can be enabled with the --unsafe-fixes option.` */
export function hiddenFixesSentence(hidden: number): string {
  return `${hidden} hidden fix${hidden === 1 ? '' : 'es'} can be enabled with the --unsafe-fixes option.`;
}

/**
 * What a check run could fix: `applicable` fixes the flags given would apply,
 * `hidden` unsafe ones that need `--unsafe-fixes`. Empty when there are neither.
 */
export function fixAvailability(applicable: number, hidden: number, unsafeFixes: boolean): string {
  const flags = unsafeFixes ? '--fix --unsafe-fixes options' : '--fix option';
  const hiddenNote = hidden > 0 ? hiddenFixesSentence(hidden).replace(/\.$/, '') : '';
  if (applicable > 0) return `[*] ${applicable} fixable with the ${flags}${hiddenNote ? ` (${hiddenNote})` : ''}.`;
  if (hidden > 0) return `No fixes available (${hiddenNote}).`;
  return '';
}
