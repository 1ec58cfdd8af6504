// Cursor paging for every list: `{ items, nextCursor }`, the cursor an opaque base64url JSON.
import { z } from 'zod';
import { AppError } from '../errors.js';

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

function newPageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
    total: z.number().int().optional().describe('With count=true, where a list offers it'),
  });
}

/** One page schema per item schema, so the routes that share it share its serializer. */
const pageSchemas = new WeakMap<z.ZodType, z.ZodType>();

export function pageSchema<T extends z.ZodType>(item: T): ReturnType<typeof newPageSchema<T>> {
  let page = pageSchemas.get(item);
  if (!page) {
    page = newPageSchema(item);
    pageSchemas.set(item, page);
  }
  return page as ReturnType<typeof newPageSchema<T>>;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor<T extends z.ZodTuple>(cursor: string, shape: T): z.infer<T> {
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('bad_request', {
      message: 'The cursor is not valid; start again from the first page.',
      fields: [{ field: 'cursor', message: 'Invalid cursor' }],
    });
  }
}

/** Splits a fetched page of limit+1 rows into items and the cursor for the next page. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => unknown[],
): { items: Item[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(toItem),
    nextCursor: hasMore && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}

/**
 * Every page of a keyset-paged read, in order, with the next page read while the caller works on
 * this one (exports: the database and this process busy at the same time). `read(after)` returns
 * a page and where the next one starts (undefined at the end).
 */
export async function* pagesReadAhead<T, C>(
  read: (after: C | undefined) => Promise<{ items: T[]; next: C | undefined }>,
): AsyncGenerator<T[]> {
  let page = await read(undefined);
  for (;;) {
    const next = page.next === undefined ? undefined : read(page.next);
    // An abandoned export must not leave the read-ahead's failure unhandled.
    next?.catch(() => undefined);
    yield page.items;
    if (!next) return;
    page = await next;
  }
}
