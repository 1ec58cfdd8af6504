// A scrolling table that renders only its visible rows (spacer rows above and below) and asks
// for the next cursor page as the end comes near, as the leads list does.
import { Table, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactNode } from 'react';

export const ROW_HEIGHT = 49;

export function VirtualTable<T>({
  label,
  rows,
  columns,
  head,
  renderRow,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  minWidth = 900,
}: {
  label: string;
  rows: T[];
  columns: number;
  head: ReactNode;
  renderRow: (row: T) => ReactNode;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
  minWidth?: number;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  // Fetch the next page when the last rendered row nears the end of what is loaded.
  useEffect(() => {
    if (lastIndex >= rows.length - 10 && hasNextPage && !isFetchingNextPage) {
      void fetchNextPage();
    }
  }, [lastIndex, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <div
      ref={scrollRef}
      style={{ height: 'calc(100vh - 250px)', minHeight: 320, overflow: 'auto' }}
      tabIndex={0}
      aria-label={label}
      role="region"
    >
      <Table highlightOnHover stickyHeader verticalSpacing="xs" miw={minWidth}>
        <Table.Thead>{head}</Table.Thead>
        <Table.Tbody>
          {paddingTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns} style={{ height: paddingTop, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index];
            return row === undefined ? null : renderRow(row);
          })}
          {paddingBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns} style={{ height: paddingBottom, padding: 0 }} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
      {isFetchingNextPage && (
        <Text size="sm" c="dimmed" ta="center" py="xs">
          Loading more…
        </Text>
      )}
    </div>
  );
}
