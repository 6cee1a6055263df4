/** Quotes `text` for a POSIX shell, leaving plain words alone (used in hints users copy). */
export function shellQuote(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
