/**
 * The text of `--help` (Twisted's `usage.docMakeChunks`): one line per option, the short form
 * first, the documentation wrapped in a second column, `[default: …]` for parameters.
 *
 * @internal
 * @module
 */

/** One line of the table. */
export interface OptionDoc {
  /** The long name (no dashes). */
  long: string;
  /** The one-letter short name, if any. */
  short: string | undefined;
  /** The documentation. */
  doc: string;
  /** What kind of entry it is. */
  optType: 'flag' | 'parameter' | 'command';
  /** The default, shown for parameters. */
  default?: unknown;
  /** Text the coerce function adds (its `coerceDoc`). */
  coerceDoc?: string;
}

/** Wraps `text` to `width` columns. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The lines of the option table, each ending with a newline. */
export function docMakeChunks(options: OptionDoc[], width = 80): string[] {
  const sorted = [...options].sort((a, b) => (a.short ?? a.long).localeCompare(b.short ?? b.long));
  let maxLen = 0;
  for (const o of sorted) maxLen = Math.max(maxLen, o.long.length + (o.optType === 'parameter' ? 1 : 0));
  const col1 = maxLen + '  -s, --  '.length;
  const col2 = Math.max(20, width - col1);
  const chunks: string[] = [];
  for (const o of sorted) {
    const long = (o.optType === 'parameter' ? `${o.long}=` : o.long).padEnd(maxLen);
    const short = o.short ? `-${o.short}` : '';
    const column1 =
      o.optType === 'command'
        ? `    ${long}      `
        : `  ${short.padStart(2)}${o.short ? ',' : ' '} --${long}  `;
    let doc = (o.doc ?? '').trim();
    if (o.optType === 'parameter' && o.default !== undefined && o.default !== null)
      doc = `${doc} [default: ${String(o.default)}]`;
    if (o.coerceDoc) doc = `${doc}. ${o.coerceDoc}`;
    const lines = doc === '' ? [''] : wrap(doc, col2);
    chunks.push(
      [`${column1}${lines[0]}\n`, ...lines.slice(1).map((l) => `${' '.repeat(col1)}${l}\n`)].join(''),
    );
  }
  return chunks;
}
