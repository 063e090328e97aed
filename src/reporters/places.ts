/** Where a VFileMessage starts and ends, whether vfile stored a point or a range. */
import type { VFileMessage } from 'vfile-message';

export interface LineColumn {
  line: number;
  column: number;
}

export function startOf(message: VFileMessage): LineColumn {
  const place = message.place;
  const point = place && 'start' in place ? place.start : place;
  return { line: point?.line ?? message.line ?? 1, column: point?.column ?? message.column ?? 1 };
}

/** The end of a range, or undefined when the message has a single point. */
export function endOf(message: VFileMessage): LineColumn | undefined {
  const place = message.place;
  if (!place || !('end' in place)) return undefined;
  return { line: place.end.line, column: place.end.column };
}
