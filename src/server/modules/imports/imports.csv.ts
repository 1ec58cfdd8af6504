// Reading an uploaded CSV: its encoding and delimiter detected from the first bytes, then its
// rows as a stream (iconv-lite decodes, csv-parse parses), never the whole file in memory.
// Damage is reported per row, not thrown: a quote that never closes swallows the rest of the
// file in CSV's grammar, so the reader reports that row and starts again on the line after it.
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import iconv from 'iconv-lite';

export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** How many bytes of the file the detection looks at. */
export const SAMPLE_BYTES = 64 * 1024;

export class UnreadableFileError extends Error {}

/** The text encoding of a file from its first bytes: a BOM, else UTF-8 if valid, else Windows-1252. */
export function detectEncoding(sample: Buffer): Encoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  // UTF-16 without a BOM: ASCII text has a zero in every other byte.
  let zeroEven = 0;
  let zeroOdd = 0;
  const probe = Math.min(sample.length, 4096);
  for (let i = 0; i < probe; i += 1) {
    if (sample[i] === 0) {
      if (i % 2 === 0) zeroEven += 1;
      else zeroOdd += 1;
    }
  }
  if (zeroOdd > probe / 4 && zeroEven === 0) return 'utf-16le';
  if (zeroEven > probe / 4 && zeroOdd === 0) return 'utf-16be';
  if (zeroEven + zeroOdd > 0) {
    throw new UnreadableFileError('This is not a text file (it holds binary data).');
  }
  try {
    // stream: true tolerates a character cut at the sample's end.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/** Occurrences of a delimiter outside quoted parts of a line. */
function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === delimiter) count += 1;
  }
  return count;
}

/**
 * The delimiter that splits the first lines most consistently (the same count on each line as
 * on the header), the most often on ties; a comma when nothing splits the header.
 */
export function detectDelimiter(text: string): string {
  const lines = text.split(/\r\n|\n|\r/).slice(0, 21);
  // The last line of a sample may be cut short.
  if (lines.length > 2) lines.pop();
  const [header, ...rest] = lines.filter((line) => line.trim() !== '');
  if (header === undefined) return ',';
  let best = ',';
  let bestScore = 0;
  for (const delimiter of DELIMITERS) {
    const count = countOutsideQuotes(header, delimiter);
    if (count === 0) continue;
    const same = rest.filter((line) => countOutsideQuotes(line, delimiter) === count).length;
    const consistency = rest.length === 0 ? 1 : same / rest.length;
    const score = consistency * 1_000_000 + count;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

export interface FileFormat {
  encoding: Encoding;
  delimiter: string;
}

/** Encoding and delimiter of a file from its first bytes. */
export function detectFormat(sample: Buffer): FileFormat {
  const encoding = detectEncoding(sample);
  const text = iconv.decode(sample, encoding);
  return { encoding, delimiter: detectDelimiter(text) };
}

/** A record of the file (its cells), or a row that could not be read (why). */
export type CsvRecord =
  | { index: number; cells: string[]; error?: undefined }
  | { index: number; error: string; cells?: undefined };

/** Drops the first `count` lines of a text stream (to start again after a broken row). */
class LineSkipper extends Transform {
  #left: number;
  constructor(count: number) {
    super({ decodeStrings: false, encoding: 'utf-8' });
    this.#left = count;
  }
  override _transform(chunk: string, _encoding: BufferEncoding, done: TransformCallback) {
    let text = chunk;
    while (this.#left > 0 && text.length > 0) {
      const end = text.indexOf('\n');
      if (end === -1) {
        text = '';
        break;
      }
      text = text.slice(end + 1);
      this.#left -= 1;
    }
    if (text.length > 0) this.push(text);
    done();
  }
}

/**
 * Every record of a file, header first, with its index (0 = the header). `open` gives the
 * file's bytes from the start each time it is called (the reader may start again).
 */
export async function* readRecords(
  open: () => AsyncIterable<Buffer> | Iterable<Buffer>,
  format: FileFormat,
): AsyncGenerator<CsvRecord> {
  let index = 0;
  let skipLines = 0;
  for (;;) {
    let unclosedQuote = false;
    const skipped: CsvError[] = [];
    const parser = parse({
      delimiter: format.delimiter,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        if (error?.code === 'CSV_QUOTE_NOT_CLOSED') unclosedQuote = true;
        else if (error) skipped.push(error);
        return undefined;
      },
    });
    const decoder = iconv.decodeStream(format.encoding, { stripBOM: true });
    const source = Readable.from(open());
    const skipper = new LineSkipper(skipLines);
    source.on('error', (error) => parser.destroy(error));
    decoder.on('error', (error: Error) => parser.destroy(error));
    source.pipe(decoder).pipe(skipper).pipe(parser);
    let lastLine = 0;
    try {
      for await (const { record, info } of parser as AsyncIterable<{
        record: string[];
        info: { lines: number };
      }>) {
        while (skipped.length > 0) {
          const error = skipped.shift();
          yield { index: index++, error: `This row could not be read: ${error?.message ?? ''}` };
        }
        lastLine = info.lines;
        yield { index: index++, cells: record };
      }
    } finally {
      source.destroy();
    }
    for (const error of skipped) {
      yield { index: index++, error: `This row could not be read: ${error.message}` };
    }
    if (!unclosedQuote) return;
    yield {
      index: index++,
      error:
        'A quote in this row is never closed; the row was skipped and reading went on ' +
        'with the next line.',
    };
    // Start again on the line after the broken row's first line.
    skipLines += lastLine + 1;
  }
}
