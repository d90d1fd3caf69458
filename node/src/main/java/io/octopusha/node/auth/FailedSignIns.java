package io.octopusha.node.auth;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counts failed API-key attempts per client address in a fixed window. Once an address has failed too often,
 * every key it sends is refused until the window ends, valid or not: otherwise a guess that happened to be
 * right would still stand out from the refusals.
 */
public final class FailedSignIns {
    private static final int MAX_TRACKED = 100_000;

    private final int maxFailures;
    private final long windowNanos;
    private final LongSupplier clock;
    private final Map<String, Window> byAddress = new ConcurrentHashMap<>();

    private record Window(long startNanos, int failures) {
    }

    public FailedSignIns(int maxFailures, Duration window) {
        this(maxFailures, window, System::nanoTime);
    }

    FailedSignIns(int maxFailures, Duration window, LongSupplier clock) {
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
        this.clock = clock;
    }

    /** How long this address must wait, or null if it may try. */
    public Duration lockedFor(String address) {
        Window w = byAddress.get(address);
        if (w == null || w.failures() < maxFailures) return null;
        long left = w.startNanos() + windowNanos - clock.getAsLong();
        if (left <= 0) {
            byAddress.remove(address, w);
            return null;
        }
        return Duration.ofNanos(left);
    }

    /** Counts a failure; true when it is the one that reaches the limit and locks the address out. */
    public boolean failed(String address) {
        long now = clock.getAsLong();
        if (byAddress.size() >= MAX_TRACKED) byAddress.values().removeIf(w -> now - w.startNanos() > windowNanos);
        Window window = byAddress.compute(address, (a, w) -> w == null || now - w.startNanos() > windowNanos
                ? new Window(now, 1) : new Window(w.startNanos(), w.failures() + 1));
        return window.failures() == maxFailures;
    }

    public int maxFailures() {
        return maxFailures;
    }
}
