package org.silo.cli;

import java.util.ArrayList;
import java.util.List;

/** Prints rows aligned in columns for people; numbers are right-aligned. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] right;

    Table(String... header) {
        rows.add(header);
        right = new boolean[header.length];
    }

    Table rightAlign(int... columns) {
        for (int c : columns) {
            right[c] = true;
        }
        return this;
    }

    Table row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    void print() {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String cell = r[i];
                boolean last = i == r.length - 1;
                if (right[i]) {
                    line.append(" ".repeat(width[i] - cell.length())).append(cell);
                } else {
                    line.append(cell);
                    if (!last) {
                        line.append(" ".repeat(width[i] - cell.length()));
                    }
                }
                if (!last) {
                    line.append("  ");
                }
            }
            System.out.println(line.toString().stripTrailing());
        }
    }
}
