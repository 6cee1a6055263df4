import { styleText } from 'node:util';

/** Colour functions; every one is the identity when colour is off. */
export interface Style {
  readonly enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

type Format = Parameters<typeof styleText>[0];

/**
 * Colour is on only for a terminal, unless `--no-color` or `NO_COLOR` turn it off; `FORCE_COLOR`
 * turns it on for pipes (tests and pagers that understand ANSI).
 */
export function colorEnabled(flag: boolean, env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY;
}

export function createStyle(enabled: boolean): Style {
  const paint = (format: Format) => (text: string) => (enabled && text !== '' ? styleText(format, text) : text);
  return {
    enabled,
    red: paint('red'),
    green: paint('green'),
    yellow: paint('yellow'),
    cyan: paint('cyan'),
    dim: paint('dim'),
    bold: paint('bold'),
  };
}
