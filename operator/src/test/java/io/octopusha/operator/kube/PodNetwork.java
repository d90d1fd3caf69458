package io.octopusha.operator.kube;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Pod IPs of the tier: 198.18.0.0/16 (the range set aside for benchmark tests, RFC 2544), made local to this machine by
 * one route ({@code ip route add local 198.18.0.0/16 dev lo}), so that every pod gets an address of its own that its
 * process listens on. Loopback addresses would do for listening, but the EndpointSlice API refuses them.
 */
final class PodNetwork {
    static final String ROUTE = "198.18.0.0/16";
    /**
     * What the API server advertises as the kubernetes Service's endpoint (it listens on 127.0.0.1, which the
     * Endpoints API refuses as loopback).
     */
    static final String API_SERVER_ADDRESS = "198.18.255.254";

    private PodNetwork() {
    }

    /** Each test JVM takes its own 1,000 addresses, so that two runs on one machine never share one. */
    private static final int FIRST_BLOCK = (int) (ProcessHandle.current().pid() % 60) * 4;

    /** The n-th pod address of this JVM (n below 1,000). */
    static String address(int n) {
        return "198.18." + (FIRST_BLOCK + n / 250) + "." + (n % 250 + 2);
    }

    /** Adds the local route when it is missing; empty when the addresses can be used, else why not. */
    static Optional<String> ensureRoute() {
        if (bindable()) return Optional.empty();
        try {
            Process ip = new ProcessBuilder("ip", "route", "add", "local", ROUTE, "dev", "lo").redirectErrorStream(true)
                    .start();
            String out = new String(ip.getInputStream().readAllBytes()).strip();
            ip.waitFor(10, TimeUnit.SECONDS);
            if (bindable()) return Optional.empty();
            return Optional.of("pod addresses need a local route: `ip route add local " + ROUTE + " dev lo` as root"
                    + " failed (" + out + ")");
        } catch (IOException e) {
            return Optional.of("pod addresses need a local route (`ip route add local " + ROUTE + " dev lo` as root),"
                    + " and iproute2's ip is not installed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    private static boolean bindable() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(address(0)), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
