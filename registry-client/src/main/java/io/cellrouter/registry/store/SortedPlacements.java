package io.cellrouter.registry.store;

import io.cellrouter.registry.model.Placement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Placements held in memory, sorted by customer id, overall and per cell: a listing page is a
 * binary search and a walk of at most {@code limit} entries, a count per cell is a lookup. Built
 * once per state (O(n log n)); immutable, so any thread may read it.
 */
public final class SortedPlacements {

    private static final String[] NONE = new String[0];

    private final Map<String, Placement> placements;
    private final String[] all;
    private final Map<String, String[]> byCell;

    private SortedPlacements(Map<String, Placement> placements, String[] all, Map<String, String[]> byCell) {
        this.placements = placements;
        this.all = all;
        this.byCell = byCell;
    }

    public static SortedPlacements of(Collection<Placement> placements) {
        Map<String, Placement> byCustomer = new HashMap<>(placements.size() * 2);
        Map<String, List<String>> cells = new HashMap<>();
        for (Placement placement : placements) {
            byCustomer.put(placement.customer(), placement);
            cells.computeIfAbsent(placement.cell(), c -> new ArrayList<>()).add(placement.customer());
        }
        String[] all = byCustomer.keySet().toArray(NONE);
        Arrays.sort(all);
        Map<String, String[]> byCell = new HashMap<>();
        cells.forEach((cell, customers) -> {
            String[] sorted = customers.toArray(NONE);
            Arrays.sort(sorted);
            byCell.put(cell, sorted);
        });
        return new SortedPlacements(byCustomer, all, byCell);
    }

    /** Customers placed in {@code cell}. */
    public long count(String cell) {
        return byCell.getOrDefault(cell, NONE).length;
    }

    /** One page, in customer-id order; the cursor is {@link PageCursor#afterCustomer}. */
    public PlacementPage page(PlacementQuery query) {
        String[] customers = query.cell() == null ? all : byCell.getOrDefault(query.cell(), NONE);
        int from = firstAtOrAfter(customers, query.prefix());
        if (query.cursor() != null) {
            String after = PageCursor.decode(query.cursor()).single(PageCursor.AFTER_CUSTOMER);
            int afterCursor = firstAtOrAfter(customers, after);
            if (afterCursor < customers.length && customers[afterCursor].equals(after)) {
                afterCursor++;
            }
            from = Math.max(from, afterCursor);
        }
        List<Placement> page = new ArrayList<>(Math.min(query.limit(), customers.length - from));
        int i = from;
        while (i < customers.length && customers[i].startsWith(query.prefix()) && page.size() < query.limit()) {
            page.add(placements.get(customers[i]));
            i++;
        }
        boolean more = i < customers.length && customers[i].startsWith(query.prefix());
        return new PlacementPage(
                page, more ? PageCursor.afterCustomer(page.get(page.size() - 1).customer()) : null);
    }

    private static int firstAtOrAfter(String[] sorted, String key) {
        int found = Arrays.binarySearch(sorted, key);
        return found >= 0 ? found : -found - 1;
    }
}
