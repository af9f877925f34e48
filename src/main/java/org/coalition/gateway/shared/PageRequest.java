package org.coalition.gateway.shared;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * A validated page of a keyset-paginated connection. Cursors are opaque to callers; inside they are
 * the (time, id) of the last row seen, so paging never skips or repeats rows that arrive meanwhile.
 */
public record PageRequest(int size, Instant afterTime, UUID afterId) {

    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 100;

    public static PageRequest of(Integer first, String after) {
        int size = first == null ? DEFAULT_PAGE_SIZE : first;
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidArgument("first must be between 1 and " + MAX_PAGE_SIZE);
        }
        if (after == null) {
            return new PageRequest(size, null, null);
        }
        String[] parts = decode(after).split("\\|", 2);
        try {
            return new PageRequest(size, Instant.parse(parts[0]), UUID.fromString(parts[1]));
        } catch (RuntimeException e) {
            throw new InvalidArgument("after is not a cursor of this connection");
        }
    }

    public boolean hasCursor() {
        return afterId != null;
    }

    /** One more row than the page is fetched to learn whether a next page exists. */
    public int fetchSize() {
        return size + 1;
    }

    /** A page of a connection: its edges and what a client needs to ask for the next one. */
    public record Page<E>(List<E> edges, PageInfo pageInfo) {
    }

    /**
     * Cuts rows fetched with {@link #fetchSize()} to this page and turns them into edges; the extra row,
     * if any, only says that a next page exists.
     */
    public <R, E> Page<E> page(List<R> fetched, Function<R, E> edge, Function<E, String> cursorOf) {
        List<E> edges = fetched.stream().limit(size).map(edge).toList();
        String endCursor = edges.isEmpty() ? null : cursorOf.apply(edges.get(edges.size() - 1));
        return new Page<>(edges, new PageInfo(fetched.size() > size, endCursor));
    }

    public static String cursor(Instant time, UUID id) {
        String raw = time.toString() + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgument("after is not a cursor of this connection");
        }
    }
}
